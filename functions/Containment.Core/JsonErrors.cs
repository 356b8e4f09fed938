using System.Text.Json;
using Containment.Playbooks.Validation;

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

        return message.TrimEnd('.', ' ');
    }

    /// <summary>System.Text.Json reports <c>$.steps[0].timeout</c>; problems use JSON pointers (<c>/steps/0/timeout</c>).</summary>
    public static string PointerOf(JsonException exception) =>
        string.IsNullOrEmpty(exception.Path) || exception.Path == "$"
            ? PlaybookProblem.Root
            : JsonPointer.FromSchemaPath("#/" + exception.Path.TrimStart('$', '.'));
}
