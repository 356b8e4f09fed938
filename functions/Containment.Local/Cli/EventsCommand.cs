using System.CommandLine;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary>
/// <c>events list [--status S] [--limit N] [--cursor C]</c>: security events a page at a time, newest first;
/// <c>events set-status ID --status S --reason R</c>: an event's processing status set by hand (malware handled, say).
/// </summary>
internal static class EventsCommand
{
    public static Command Create() =>
        new("events", "Query the security events of a host and set their processing status.") { List(), SetStatus() };

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only this status: unprocessed, processed, ignored." };
        var page = new PageOptions("Events");
        var connection = new HostConnection();
        var list = new Command("list", "List security events, newest first.") { status };
        page.AddTo(list);
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var path = page.PathOf(parse, "api/events", ("status", parse.GetValue(status)));
            if (await connection.SendAsync<EventPageBody>(parse, HttpMethod.Get, path, body: null, cancellationToken) is not { } listed)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(Table.Render(
                ["ID", "STATUS", "RECEIVED", "CATEGORY", "SEVERITY", "TARGET", "PLAYBOOK", "REASON"],
                listed.Events.Select(record => new[]
                {
                    record.Id, KebabCaseEnumConverter.ToWireName(record.Status), record.ReceivedAt.ToString("u"),
                    KebabCaseEnumConverter.ToWireName(record.Alert.Category), KebabCaseEnumConverter.ToWireName(record.Alert.Severity),
                    $"{record.Alert.Target.Cluster}/{record.Alert.Target.Namespace}/{record.Alert.Target.Pod}",
                    record.Playbook ?? string.Empty, record.StatusReason ?? string.Empty,
                })));
            await PageOptions.WriteNextAsync(output, listed.Next);
            return ContainmentCli.Ok;
        });
        return list;
    }

    private static Command SetStatus()
    {
        var id = new Argument<string>("id") { Description = "The event's id, as listed (source:alert-id)." };
        var status = new Option<string>("--status") { Description = "unprocessed, processed or ignored.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why, for the audit trail.", Required = true };
        var connection = new HostConnection();
        var setStatus = new Command("set-status", "Set an event's processing status by hand; the change is audited.") { id, status, reason };
        connection.AddTo(setStatus);
        setStatus.SetAction(async (parse, cancellationToken) =>
        {
            var eventId = parse.GetValue(id)!;
            var body = new { Status = parse.GetValue(status), Reason = parse.GetValue(reason) };
            // The id as a query value: a host on Azure Functions answers 404 to a path holding an escaped slash.
            if (await connection.SendAsync<SecurityEventRecord>(parse, HttpMethod.Post, $"api/event/status?id={Uri.EscapeDataString(eventId)}", body, cancellationToken) is not { } changed)
            {
                return ContainmentCli.Failed;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"{changed.Id}: {KebabCaseEnumConverter.ToWireName(changed.Status)} ({TerminalText.Shown(changed.StatusReason ?? string.Empty)})");
            return ContainmentCli.Ok;
        });
        return setStatus;
    }

    private sealed record EventPageBody(IReadOnlyList<SecurityEventRecord> Events, string? Next = null);
}
