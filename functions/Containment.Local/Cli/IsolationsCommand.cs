using System.CommandLine;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary><c>isolations list [--status S] [--cluster C] [--namespace N] [--limit N] [--cursor C] [--url URL] [--key KEY]</c>: the isolation ledger as a table, a page at a time, the last changed first.</summary>
internal static class IsolationsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "Only this status: isolating, isolated, releasing, released, failed." };
        var cluster = new Option<string?>("--cluster") { Description = "Only this cluster: its alias, in any case, or its AKS resource id." };
        var ns = new Option<string?>("--namespace") { Description = "Only this namespace." };
        var page = new PageOptions("Records");
        var connection = new HostConnection();
        var list = new Command("list", "List isolation records, the last changed first.") { status, cluster, ns };
        page.AddTo(list);
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var path = page.PathOf(parse, "api/isolations", ("status", parse.GetValue(status)), ("cluster", parse.GetValue(cluster)), ("namespace", parse.GetValue(ns)));
            if (await connection.SendAsync<IsolationPage>(parse, HttpMethod.Get, path, body: null, cancellationToken) is not { } listed)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(Table.Render(
                ["ID", "STATUS", "CLUSTER", "NAMESPACE", "POD", "CHANGED", "BY", "REASON"],
                listed.Isolations.Select(record => new[]
                {
                    record.Id, KebabCaseEnumConverter.ToWireName(record.Status), record.Cluster, record.Namespace, record.Pod,
                    record.ChangedAt.ToString("u"), record.ChangedBy, record.FailureReason ?? record.Reason ?? string.Empty,
                })));
            await PageOptions.WriteNextAsync(output, listed.Next);
            return ContainmentCli.Ok;
        });

        return new Command("isolations", "Query the isolation ledger of a host.") { list, DriftCommand.Create() };
    }

    private sealed record IsolationPage(IReadOnlyList<IsolationRecord> Isolations, string? Next = null);
}
