using System.Text;

namespace Containment.Local.Cli;

/// <summary>Plain-text tables with columns as wide as their widest cell; every cell as <see cref="TerminalText"/> shows it.</summary>
internal static class Table
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(headers).Select(row => row.Select(TerminalText.Shown).ToList()).ToList();
        var widths = headers.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }

        return text.ToString();
    }
}
