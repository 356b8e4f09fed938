using System.CommandLine;
using System.Globalization;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary>The <c>--limit</c> and <c>--cursor</c> options of the verbs that list a page at a time, and the line that says a page follows.</summary>
internal sealed class PageOptions(string records)
{
    public Option<int?> Limit { get; } = new("--limit") { Description = $"{records} per page, 1 to {Page.MaxLimit} (default {Page.DefaultLimit})." };

    public Option<string?> Cursor { get; } = new("--cursor") { Description = "Where the page begins: the cursor the page before printed." };

    public void AddTo(Command command)
    {
        command.Options.Add(Limit);
        command.Options.Add(Cursor);
    }

    /// <summary>The path with the query: the given filters, then the page's; parameters not given are left out.</summary>
    public string PathOf(ParseResult parse, string path, params (string Name, string? Value)[] filters)
    {
        var query = string.Join("&", filters
            .Append(("limit", parse.GetValue(Limit)?.ToString(CultureInfo.InvariantCulture)))
            .Append(("cursor", parse.GetValue(Cursor)))
            .Where(parameter => !string.IsNullOrEmpty(parameter.Item2))
            .Select(parameter => $"{parameter.Item1}={Uri.EscapeDataString(parameter.Item2!)}"));
        return query.Length == 0 ? path : $"{path}?{query}";
    }

    /// <summary>Says where the next page begins, when one follows.</summary>
    public static async Task WriteNextAsync(TextWriter output, string? next)
    {
        if (next is not null)
        {
            await output.WriteLineAsync($"more: --cursor {next}");
        }
    }
}
