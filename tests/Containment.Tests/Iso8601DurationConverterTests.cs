using System.Text.Json;

namespace Containment.Tests;

public sealed class Iso8601DurationConverterTests
{
    [Theory]
    [InlineData("PT30M", 0, 0, 30, 0)]
    [InlineData("P1DT2H", 1, 2, 0, 0)]
    [InlineData("PT1.5S", 0, 0, 0, 1.5)]
    public void Read_IsoDuration_ReturnsTimeSpan(string text, int days, int hours, int minutes, double seconds)
    {
        var value = JsonSerializer.Deserialize<TimeSpan>($"\"{text}\"", ContainmentJson.Options);

        Assert.Equal(new TimeSpan(days, hours, minutes, 0) + TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("00:30:00")]
    public void Read_NotFixedOrNotIso_Throws(string text)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TimeSpan>($"\"{text}\"", ContainmentJson.Options));
    }

    [Fact]
    public void Write_TimeSpan_WritesIso()
    {
        Assert.Equal("\"P1DT2H30M\"", JsonSerializer.Serialize(new TimeSpan(1, 2, 30, 0), ContainmentJson.Options));
    }
}
