using Containment.Ledger;

namespace Containment.Tests.Ledger;

public sealed class TableKeyTests
{
    [Theory]
    [InlineData("plain-name", "plain-name")]
    [InlineData("a/b\\c#d?e%f", "a%2Fb%5Cc%23d%3Fe%25f")]
    [InlineData("tab\there", "tab%09here")]
    public void Encode_ReservedCharacters_ArePercentEncoded(string text, string expected)
    {
        Assert.Equal(expected, TableKey.Encode(text));
    }

    [Fact]
    public void Encode_LongText_IsCutAndHashedDistinctly()
    {
        var first = TableKey.Encode(new string('a', 2000) + "1");
        var second = TableKey.Encode(new string('a', 2000) + "2");

        Assert.True(first.Length <= 512);
        Assert.NotEqual(first, second);
    }
}
