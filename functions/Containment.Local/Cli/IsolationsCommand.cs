using System.CommandLine;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary><c>isolations list [--status S] [--url URL] [--key KEY]</c>: the isolation ledger as a table.</summary>
internal static class IsolationsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "Only this status: isolating, isolated, releasing, released, failed." };
        var connection = new HostConnection();
        var list = new Command("list", "List isolation records.") { status };
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var query = parse.GetValue(status) is { Length: > 0 } wanted ? $"?status={Uri.EscapeDataString(wanted)}" : string.Empty;
            if (await connection.SendAsync<IsolationPage>(parse, HttpMethod.Get, "api/isolations" + query, body: null, cancellationToken) is not { } page)
            {
                return ContainmentCli.Failed;
            }

            await parse.InvocationConfiguration.Output.WriteAsync(Table.Render(
                ["ID", "STATUS", "CLUSTER", "NAMESPACE", "POD", "CHANGED", "BY", "REASON"],
                page.Isolations.Select(record => new[]
                {
                    record.Id, KebabCaseEnumConverter.ToWireName(record.Status), record.Cluster, record.Namespace, record.Pod,
                    record.ChangedAt.ToString("u"), record.ChangedBy, record.FailureReason ?? record.Reason ?? string.Empty,
                })));
            return ContainmentCli.Ok;
        });

        return new Command("isolations", "Query the isolation ledger of a host.") { list };
    }

    private sealed record IsolationPage(IReadOnlyList<IsolationRecord> Isolations);
}
