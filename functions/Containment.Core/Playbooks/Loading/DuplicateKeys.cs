using System.Text.Json;

namespace Containment.Playbooks.Loading;

/// <summary>
/// Keys an object gives twice. Readers differ on which of the two counts (and <see cref="System.Text.Json.Nodes.JsonObject"/>
/// throws on first use), so a playbook that holds one is refused, naming where.
/// </summary>
internal static class DuplicateKeys
{
    /// <summary>The pointer of the first key given twice, in document order; null when every object's keys are its own.</summary>
    public static string? First(JsonElement element, string pointer = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var at = JsonPointer.Append(pointer, property.Name);
                    if (!seen.Add(property.Name))
                    {
                        return at;
                    }

                    if (First(property.Value, at) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (First(item, JsonPointer.Append(pointer, index++)) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
