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
        var limit = new Option<int?>("--limit") { Description = $"Events per page, 1 to {EventQuery.MaxLimit} (default {EventQuery.DefaultLimit})." };
        var cursor = new Option<string?>("--cursor") { Description = "Where the page begins: the cursor the page before printed." };
        var connection = new HostConnection();
        var list = new Command("list", "List security events, newest first.") { status, limit, cursor };
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var query = string.Join("&", new (string Name, string? Value)[]
                {
                    ("status", parse.GetValue(status)),
                    ("limit", parse.GetValue(limit)?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("cursor", parse.GetValue(cursor)),
                }
                .Where(parameter => !string.IsNullOrEmpty(parameter.Value))
                .Select(parameter => $"{parameter.Name}={Uri.EscapeDataString(parameter.Value!)}"));
            if (await connection.SendAsync<EventPageBody>(parse, HttpMethod.Get, query.Length == 0 ? "api/events" : $"api/events?{query}", body: null, cancellationToken) is not { } page)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(Table.Render(
                ["ID", "STATUS", "RECEIVED", "CATEGORY", "SEVERITY", "TARGET", "PLAYBOOK", "REASON"],
                page.Events.Select(record => new[]
                {
                    record.Id, KebabCaseEnumConverter.ToWireName(record.Status), record.ReceivedAt.ToString("u"),
                    KebabCaseEnumConverter.ToWireName(record.Alert.Category), KebabCaseEnumConverter.ToWireName(record.Alert.Severity),
                    $"{record.Alert.Target.Cluster}/{record.Alert.Target.Namespace}/{record.Alert.Target.Pod}",
                    record.Playbook ?? string.Empty, record.StatusReason ?? string.Empty,
                })));
            if (page.Next is { } next)
            {
                await output.WriteLineAsync($"more: --cursor {next}");
            }

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
            if (await connection.SendAsync<SecurityEventRecord>(parse, HttpMethod.Post, $"api/events/{Uri.EscapeDataString(eventId)}/status", body, cancellationToken) is not { } changed)
            {
                return ContainmentCli.Failed;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"{changed.Id}: {KebabCaseEnumConverter.ToWireName(changed.Status)} ({changed.StatusReason})");
            return ContainmentCli.Ok;
        });
        return setStatus;
    }

    private sealed record EventPageBody(IReadOnlyList<SecurityEventRecord> Events, string? Next = null);
}
