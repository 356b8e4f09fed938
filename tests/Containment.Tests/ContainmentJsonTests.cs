using System.Text.Json;
using Containment.Alerts;

namespace Containment.Tests;

public sealed class ContainmentJsonTests
{
    [Fact]
    public void Serialize_Enum_WritesKebabCase()
    {
        var json = JsonSerializer.Serialize(AlertCategory.ContainerEscape, ContainmentJson.Options);

        Assert.Equal("\"container-escape\"", json);
    }

    [Theory]
    [InlineData("\"container-escape\"")]
    [InlineData("\"Container-Escape\"")]
    [InlineData("\"ContainerEscape\"")]
    [InlineData("\"container_escape\"")]
    public void Deserialize_EnumInAnyCase_Reads(string json)
    {
        var category = JsonSerializer.Deserialize<AlertCategory>(json, ContainmentJson.Options);

        Assert.Equal(AlertCategory.ContainerEscape, category);
    }

    [Theory]
    [InlineData("\"escape\"")]
    [InlineData("1")]
    public void Deserialize_UnknownNameOrNumber_Throws(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<AlertCategory>(json, ContainmentJson.Options));
    }
}
