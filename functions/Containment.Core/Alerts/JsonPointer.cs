namespace Containment.Alerts;

/// <summary>Builds RFC 6901 JSON pointers for problem reports.</summary>
internal static class JsonPointer
{
    public static string Append(string pointer, string name) =>
        $"{pointer}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";

    public static string Append(string pointer, int index) => $"{pointer}/{index}";

    /// <summary>Turns System.Text.Json's <c>$.target.pod</c> / <c>$[0].id</c> path into a pointer below <paramref name="pointer"/>.</summary>
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

                var inner = rest[1..end].ToString().Trim('\'');
                result = Append(result, inner);
                rest = rest[(end + 1)..];
            }
            else
            {
                break;
            }
        }

        return result;
    }
}
