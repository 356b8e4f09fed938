using Containment.Isolation;

namespace Containment.Tests.Isolation;

public sealed class QuarantineNamesTests
{
    [Fact]
    public void PolicyName_ShortPod_PrefixedName()
    {
        var name = QuarantineNames.PolicyName("web-1");

        Assert.Equal("containment-quarantine-web-1", name);
    }

    [Fact]
    public void PolicyName_LongPod_ShortenedDeterministicallyWithinLimit()
    {
        var pod = new string('a', 240) + ".b";

        var first = QuarantineNames.PolicyName(pod);
        var second = QuarantineNames.PolicyName(pod);
        var other = QuarantineNames.PolicyName(new string('a', 240) + ".c");

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.True(first.Length <= 253);
        Assert.Matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", first);
    }

    [Theory]
    [InlineData("iso-42", "iso-42")]
    [InlineData("has spaces/and#slashes", null)]
    public void LabelValue_Id_ValidLabelValue(string id, string? expected)
    {
        var value = QuarantineNames.LabelValue(id);

        if (expected is not null)
        {
            Assert.Equal(expected, value);
        }

        Assert.Matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", value);
        Assert.True(value.Length <= 63);
    }
}
