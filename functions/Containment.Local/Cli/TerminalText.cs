using System.Globalization;
using System.Text;

namespace Containment.Local.Cli;

/// <summary>
/// What the host answered, shown in a terminal: a control character (a terminal acts on an escape sequence, and a
/// line break splits a table's row) or a bidirectional control (it reorders what follows) is shown as its code.
/// </summary>
internal static class TerminalText
{
    public static string Shown(string text)
    {
        if (!text.Any(Escaped))
        {
            return text;
        }

        var shown = new StringBuilder(text.Length + 16);
        foreach (var character in text)
        {
            if (Escaped(character))
            {
                shown.Append("\\u").Append(((int)character).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                shown.Append(character);
            }
        }

        return shown.ToString();
    }

    private static bool Escaped(char character) => char.IsControl(character) || HumanText.IsBidirectionalControl(character);
}
