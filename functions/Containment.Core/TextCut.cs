namespace Containment;

/// <summary>
/// Text cut to a length without splitting a character that takes two UTF-16 units (an emoji, say): half of one is
/// not Unicode, and a receiver may refuse the whole message over it.
/// </summary>
public static class TextCut
{
    /// <summary>At most <paramref name="length"/> units of <paramref name="text"/>.</summary>
    public static string ToLength(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var end = length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..end];
    }

    /// <summary>At most <paramref name="length"/> units, ending in "…" where anything was cut.</summary>
    public static string WithEllipsis(string text, int length) =>
        text.Length <= length ? text : ToLength(text, length - 1) + "…";
}
