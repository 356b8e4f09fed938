using System.Text.Json;

namespace Containment;

/// <summary>Plain words and a JSON pointer for a System.Text.Json failure.</summary>
public static class JsonErrors
{
    /// <summary>The message without the "Path: ..." and "LineNumber: ..." tails that the pointer says better.</summary>
    public static string Describe(JsonException exception)
    {
        var message = exception.Message;

        // "JSON deserialization for type 'X' was missing required properties including: 'a', 'b'." names our types.
        var missing = message.IndexOf("missing required properties including: ", StringComparison.Ordinal);
        if (missing >= 0)
        {
            var names = message[(missing + "missing required properties including: ".Length)..].TrimEnd('.', ' ');
            return $"missing required field(s) {names}";
        }

        foreach (var tail in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(tail, StringComparison.Ordinal);
            message = cut > 0 ? message[..cut] : message;
        }

        // "The JSON value could not be converted to System.DateTimeOffset" names a .NET type; say what JSON was expected.
        const string NotConverted = "The JSON value could not be converted to ";
        if (message.StartsWith(NotConverted, StringComparison.Ordinal))
        {
            return $"expected {Expected(message[NotConverted.Length..].TrimEnd('.', ' '))}";
        }

        return message.TrimEnd('.', ' ');
    }

    private static string Expected(string typeName) => typeName switch
    {
        _ when typeName.StartsWith("System.Nullable`1[[", StringComparison.Ordinal) => Expected(typeName["System.Nullable`1[[".Length..].Split(',')[0]),
        "System.String" => "a string",
        "System.DateTimeOffset" or "System.DateTime" => "a date and time as an ISO 8601 string (2026-11-23T03:00:00Z)",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a duration as an ISO 8601 string (PT30M)",
        "System.Guid" => "a GUID string",
        "System.Int32" or "System.Int64" or "System.Double" or "System.Decimal" => "a number",
        _ when typeName.Contains("List`", StringComparison.Ordinal) || typeName.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ => "an object",
    };

    /// <summary>System.Text.Json reports <c>$.steps[0].timeout</c>; problems use JSON pointers (<c>/steps/0/timeout</c>).</summary>
    public static string PointerOf(JsonException exception) => JsonPointer.FromJsonPath(JsonPointer.Root, exception.Path);
}
