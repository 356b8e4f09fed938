using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Containment.Playbooks.Validation;

/// <summary>RFC 6901 JSON pointers: building them, and finding the node one points at.</summary>
public static class JsonPointer
{
    public static string Append(string pointer, string segment) =>
        (pointer == PlaybookProblem.Root ? string.Empty : pointer) + "/" + Escape(segment);

    public static string Append(string pointer, int index) => Append(pointer, index.ToString(CultureInfo.InvariantCulture));

    public static string Escape(string segment) =>
        segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Parent(string pointer)
    {
        var cut = pointer.LastIndexOf('/');
        return cut <= 0 ? PlaybookProblem.Root : pointer[..cut];
    }

    /// <summary>
    /// Converts a path as NJsonSchema reports it (<c>#/steps[0].approvers[1]</c>) to a JSON pointer
    /// (<c>/steps/0/approvers/1</c>). Property names in playbooks are plain identifiers, so dots and
    /// brackets only ever separate segments.
    /// </summary>
    public static string FromSchemaPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#" || path == "#/")
        {
            return PlaybookProblem.Root;
        }

        var text = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        var pointer = new StringBuilder();
        var segment = new StringBuilder();
        void Flush()
        {
            if (segment.Length > 0)
            {
                pointer.Append('/').Append(Escape(segment.ToString()));
                segment.Clear();
            }
        }

        foreach (var character in text)
        {
            switch (character)
            {
                case '.' or '[':
                    Flush();
                    break;
                case ']':
                    Flush();
                    break;
                default:
                    segment.Append(character);
                    break;
            }
        }

        Flush();
        return pointer.Length == 0 ? PlaybookProblem.Root : pointer.ToString();
    }

    /// <summary>The node at <paramref name="pointer"/>, or null when there is none.</summary>
    public static JsonNode? Find(JsonNode? root, string pointer)
    {
        if (pointer == PlaybookProblem.Root || pointer.Length == 0)
        {
            return root;
        }

        var node = root;
        foreach (var raw in pointer[1..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(segment, out var child) ? child : null,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < array.Count => array[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }
}
