using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containment.Tests.Support;

/// <summary>
/// A JSON document with one value changed at a time: each value removed, or replaced by another type or a hostile
/// value. For checking that a reader of bad input says what is wrong, and where, rather than throwing.
/// </summary>
internal static class JsonMutations
{
    public static readonly IReadOnlyList<string> Hostile =
    [
        "null", "true", "0", "-1", "1.5", "1e400", "18446744073709551616", "\"\"", "\" \"", "\"../../etc/passwd\"",
        "\"\\u0000\"", "\"line\\r\\nX-Injected: yes\"", "\"<script>alert(1)</script>\"", "\"2026-13-45T99:99:99Z\"",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "[]", "{}", "[1]", "{\"$ref\": \"nowhere\"}",
    ];

    /// <summary>Every variant of <paramref name="original"/>: where it changed (a JSON pointer), how, and the changed document.</summary>
    public static IEnumerable<(string Pointer, string Change, JsonNode Variant)> Of(JsonNode original, IReadOnlyList<string> replacements)
    {
        foreach (var pointer in Pointers(original, string.Empty))
        {
            var removed = original.DeepClone();
            Set(removed, pointer, value: null, remove: true);
            yield return (pointer, "removed", removed);

            foreach (var replacement in replacements)
            {
                var changed = original.DeepClone();
                Set(changed, pointer, JsonNode.Parse(replacement), remove: false);
                yield return (pointer, $"= {replacement}", changed);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="pointer"/> names a value in <paramref name="root"/>, a missing member of an object in it,
    /// or a value in a JSON document that one of its strings carries (as Sentinel's <c>Entities</c> column does).
    /// </summary>
    public static bool Resolves(JsonNode root, string pointer)
    {
        var node = (JsonNode?)root;
        var tokens = Tokens(pointer);
        for (var index = 0; index < tokens.Length; index++)
        {
            switch (node)
            {
                case JsonObject members when members.TryGetPropertyValue(tokens[index], out var member):
                    node = member;
                    break;
                case JsonObject when index == tokens.Length - 1:
                    return true;
                case JsonArray items when int.TryParse(tokens[index], CultureInfo.InvariantCulture, out var at) && at < items.Count:
                    node = items[at];
                    break;
                case JsonValue value when value.TryGetValue<string>(out var text) && ParsedOrNull(text) is { } carried:
                    node = carried;
                    index--;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static JsonNode? ParsedOrNull(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Pointers(JsonNode? node, string at)
    {
        var children = node switch
        {
            JsonObject members => members.Select(member => (Pointer: $"{at}/{member.Key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}", Node: member.Value)),
            JsonArray items => items.Select((item, index) => (Pointer: $"{at}/{index}", Node: item)),
            _ => [],
        };

        foreach (var (pointer, child) in children.ToList())
        {
            yield return pointer;
            foreach (var below in Pointers(child, pointer))
            {
                yield return below;
            }
        }
    }

    private static void Set(JsonNode root, string pointer, JsonNode? value, bool remove)
    {
        var tokens = Tokens(pointer);
        var parent = root;
        foreach (var token in tokens[..^1])
        {
            parent = parent is JsonArray items ? items[int.Parse(token, CultureInfo.InvariantCulture)]! : parent[token]!;
        }

        var key = tokens[^1];
        switch (parent)
        {
            case JsonObject members when remove:
                members.Remove(key);
                break;
            case JsonObject members:
                members[key] = value;
                break;
            case JsonArray items when remove:
                items.RemoveAt(int.Parse(key, CultureInfo.InvariantCulture));
                break;
            default:
                parent.AsArray()[int.Parse(key, CultureInfo.InvariantCulture)] = value;
                break;
        }
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer[1..].Split('/').Select(token => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
}
