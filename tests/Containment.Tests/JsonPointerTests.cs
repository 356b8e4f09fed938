using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containment.Tests;

/// <summary>RFC 6901 pointers as problem reports give them, whichever parser found the problem.</summary>
public sealed class JsonPointerTests
{
    [Theory]
    [InlineData("/", "steps", "/steps")]
    [InlineData("", "steps", "/steps")]
    [InlineData("/data", "a/b~c", "/data/a~1b~0c")]
    [InlineData("/data", "", "/data/")]
    public void Append_EscapesTheName_BelowTheRootOrAPointer(string pointer, string name, string expected)
    {
        Assert.Equal(expected, JsonPointer.Append(pointer, name));
    }

    [Theory]
    [InlineData("/steps/0/timeout", "/steps/0")]
    [InlineData("/steps", "/")]
    [InlineData("/", "/")]
    public void Parent_OneSegmentUp_TheRootItsOwn(string pointer, string expected)
    {
        Assert.Equal(expected, JsonPointer.Parent(pointer));
    }

    [Theory]
    [InlineData("$", "/")]
    [InlineData(null, "/")]
    [InlineData("$.target.pod", "/target/pod")]
    [InlineData("$[0].id", "/0/id")]
    [InlineData("$.steps[12].retry.firstInterval", "/steps/12/retry/firstInterval")]
    [InlineData("$['odd.name'].x", "/odd.name/x")]
    [InlineData("$['a/b']", "/a~1b")]
    public void FromJsonPath_SystemTextJsonsPaths(string? path, string expected)
    {
        Assert.Equal(expected, JsonPointer.FromJsonPath(JsonPointer.Root, path));
    }

    [Theory]
    [InlineData("#/steps[0].approvers[1]", "/steps/0/approvers/1")]
    [InlineData("#/trigger", "/trigger")]
    [InlineData("#", "/")]
    [InlineData(null, "/")]
    public void FromSchemaPath_TheValidatorsPaths(string? path, string expected)
    {
        Assert.Equal(expected, JsonPointer.FromSchemaPath(path));
    }

    [Fact]
    public void Find_FollowsEscapedNamesAndIndexes_NullWhereNothingIs()
    {
        var document = JsonNode.Parse("""{ "a/b": { "c~d": [10, 20] } }""");

        Assert.Equal(20, (int)JsonPointer.Find(document, "/a~1b/c~0d/1")!);
        Assert.Same(document, JsonPointer.Find(document, JsonPointer.Root));
        Assert.Null(JsonPointer.Find(document, "/a~1b/c~0d/2"));
        Assert.Null(JsonPointer.Find(document, "/a~1b/missing"));
        Assert.Null(JsonPointer.Find(document, "/a~1b/c~0d/first"));
    }

    /// <summary>A name System.Text.Json quotes in its path (a dot in it) is one segment of the pointer, not two.</summary>
    [Fact]
    public void JsonErrors_PointerOf_ANameWithADot_OneSegment()
    {
        var failure = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Dictionary<string, int[]>>("""{ "app.kubernetes.io": [1, "two"] }"""));

        Assert.Equal("/app.kubernetes.io/1", JsonErrors.PointerOf(failure));
    }
}
