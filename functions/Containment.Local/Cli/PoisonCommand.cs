using System.CommandLine;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary>
/// <c>poison list [--limit N] [--cursor C]</c>: the bodies a host refused as unreadable, newest first;
/// <c>poison show ID</c>: one of them whole, as the 400 a sender got named it.
/// </summary>
internal static class PoisonCommand
{
    public static Command Create() =>
        new("poison", "See what a host refused as unreadable, and why.") { List(), Show() };

    private static Command List()
    {
        var page = new PageOptions("Records");
        var connection = new HostConnection();
        var list = new Command("list", "List refused bodies, newest first.");
        page.AddTo(list);
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            if (await connection.SendAsync<PoisonPageBody>(parse, HttpMethod.Get, page.PathOf(parse, "api/poison"), body: null, cancellationToken) is not { } listed)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(Table.Render(
                ["ID", "RECEIVED", "RECEIVER", "CONTENT TYPE", "BODY", "REASON"],
                listed.Poison.Select(record => new[]
                {
                    record.Id, record.ReceivedAt.ToString("u"), record.Receiver, record.ContentType ?? string.Empty, BodySize(record),
                    TextCut.ToLength(record.Reason, MaxReasonShown),
                })));
            await PageOptions.WriteNextAsync(output, listed.Next);
            return ContainmentCli.Ok;
        });
        return list;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "The record's id, as the refusal named it or list printed it." };
        var connection = new HostConnection();
        var show = new Command("show", "Show a refused body whole, with the reason it was refused.") { id };
        connection.AddTo(show);
        show.SetAction(async (parse, cancellationToken) =>
        {
            var path = $"api/poison/{Uri.EscapeDataString(parse.GetValue(id)!)}";
            if (await connection.SendAsync<PoisonRecord>(parse, HttpMethod.Get, path, body: null, cancellationToken) is not { } record)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{record.Id}: refused at {TerminalText.Shown(record.Receiver)}, {record.ReceivedAt:u}, {TerminalText.Shown(record.ContentType ?? "no content type")}");
            await output.WriteLineAsync($"reason: {TerminalText.Shown(record.Reason)}");
            await output.WriteLineAsync($"body ({BodySize(record)}):");

            // Line by line, so the body reads as sent; within a line every control character shows as its code.
            foreach (var line in record.Body.Split('\n'))
            {
                await output.WriteLineAsync(TerminalText.Shown(line));
            }

            return ContainmentCli.Ok;
        });
        return show;
    }

    /// <summary>A reason names every problem the body had; the table keeps the first of them readable.</summary>
    private const int MaxReasonShown = 200;

    private static string BodySize(PoisonRecord record) =>
        record.BodyTruncated ? $"first {record.Body.Length} characters kept" : $"{record.Body.Length} characters";

    private sealed record PoisonPageBody(IReadOnlyList<PoisonRecord> Poison, string? Next = null);
}
