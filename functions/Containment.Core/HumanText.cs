namespace Containment;

/// <summary>
/// Text a person typed (a reason, an approval comment, a typed name). It is kept in the audit trail and shown in
/// terminals, pages and chat, so it may hold no control character, which a terminal acts on (an escape sequence
/// can rewrite what is on screen), and no bidirectional override or isolate, which shows text in another order than
/// it is kept (a name typed <c>U+202E nimda</c> shows as <c>admin</c>).
/// </summary>
public static class HumanText
{
    /// <summary>What is wrong with <paramref name="text"/>, if anything, naming it as <paramref name="what"/>.</summary>
    /// <param name="lines">Whether line breaks and tabs belong in it (a comment, a reason; not a name).</param>
    public static string? Problem(string text, string what, bool lines)
    {
        for (var index = 0; index < text.Length; index++)
        {
            var character = text[index];
            if (IsControl(character, lines))
            {
                return $"{what} holds a control character (U+{(int)character:X4} at {index})";
            }

            if (IsBidirectionalControl(character))
            {
                return $"{what} holds a bidirectional control (U+{(int)character:X4} at {index}), which shows text in another order than it is kept";
            }
        }

        return null;
    }

    /// <summary>Where the first control character of <paramref name="text"/> is, line breaks and tabs included; -1 where there is none.</summary>
    public static int IndexOfControl(string text)
    {
        for (var index = 0; index < text.Length; index++)
        {
            if (char.IsControl(text[index]))
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>Embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069); the marks (U+200E, U+200F) only steer neutral characters.</summary>
    public static bool IsBidirectionalControl(char character) => character is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static bool IsControl(char character, bool lines) => char.IsControl(character) && !(lines && character is '\n' or '\r' or '\t');
}
