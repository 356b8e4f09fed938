using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Containment;

/// <summary>
/// RFC 6901 JSON pointers, as problem reports give them: built segment by segment, read from the paths System.Text.Json
/// and the schema validator report, and followed to the node they name.
/// </summary>
public static class JsonPointer
{
    /// <summary>The whole document, as a report names it (<c>/: message</c>); an empty pointer means the same here.</summary>
    public const string Root = "/";

    public static string Append(string pointer, string name) => (pointer == Root ? string.Empty : pointer) + "/" + Escape(name);

    public static string Append(string pointer, int index) => Append(pointer, index.ToString(CultureInfo.InvariantCulture));

    public static string Escape(string name) =>
        name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Parent(string pointer)
    {
        var cut = pointer.LastIndexOf('/');
        return cut <= 0 ? Root : pointer[..cut];
    }

    /// <summary>
    /// A path as System.Text.Json reports it (<c>$.target.pod</c>, <c>$[0].id</c>, <c>$['odd.name']</c>) as a pointer below
    /// <paramref name="pointer"/>.
    /// </summary>
    public static string FromJsonPath(string pointer, string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return pointer;
        }

        var result = pointer;
        var rest = path.AsSpan(1);
        while (!rest.IsEmpty)
        {
            if (rest[0] == '.')
            {
                rest = rest[1..];
                var end = rest.IndexOfAny('.', '[');
                var name = end < 0 ? rest : rest[..end];
                result = Append(result, name.ToString());
                rest = end < 0 ? [] : rest[end..];
            }
            else if (rest[0] == '[')
            {
                var end = rest.IndexOf(']');
                if (end < 0)
                {
                    break;
                }

                result = Append(result, rest[1..end].ToString().Trim('\''));
                rest = rest[(end + 1)..];
            }
            else
            {
                break;
            }
        }

        return result;
    }

    /// <summary>
    /// A path as NJsonSchema reports it (<c>#/steps[0].approvers[1]</c>, a name that is no identifier quoted as
    /// <c>podLabels['app.kubernetes.io/name']</c> with <c>\'</c> inside) as a pointer (<c>/steps/0/approvers/1</c>).
    /// </summary>
    public static string FromSchemaPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#" || path == "#/")
        {
            return Root;
        }

        var text = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        var pointer = new StringBuilder();
        var at = 0;
        while (at < text.Length)
        {
            if (text[at] == '.')
            {
                at++;
                continue;
            }

            var segment = text[at] == '[' ? Bracketed(text, ref at) : Plain(text, ref at);
            pointer.Append('/').Append(Escape(segment));
        }

        return pointer.Length == 0 ? Root : pointer.ToString();
    }

    // A name up to the next '.' or '['.
    private static string Plain(string text, ref int at)
    {
        var end = text.IndexOfAny(['.', '['], at);
        end = end < 0 ? text.Length : end;
        var segment = text[at..end];
        at = end;
        return segment;
    }

    // [0], or ['a name'] with \ escaping the character after it.
    private static string Bracketed(string text, ref int at)
    {
        if (at + 1 < text.Length && text[at + 1] == '\'')
        {
            var name = new StringBuilder();
            at += 2;
            while (at < text.Length && text[at] != '\'')
            {
                if (text[at] == '\\' && at + 1 < text.Length)
                {
                    at++;
                }

                name.Append(text[at++]);
            }

            at = Math.Min(text.Length, at + 2); // past the closing ']
            return name.ToString();
        }

        var close = text.IndexOf(']', at);
        close = close < 0 ? text.Length : close;
        var index = text[(at + 1)..close];
        at = Math.Min(text.Length, close + 1);
        return index;
    }

    /// <summary>The node at <paramref name="pointer"/>, or null when there is none.</summary>
    public static JsonNode? Find(JsonNode? root, string pointer)
    {
        if (pointer == Root || pointer.Length == 0)
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
