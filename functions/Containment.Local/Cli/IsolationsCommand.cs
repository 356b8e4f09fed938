using System.CommandLine;
using Containment.Isolation.Drift;
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

        return new Command("isolations", "Query the isolation ledger of a host.") { list, Drift() };
    }

    /// <summary><c>isolations drift</c>: where the clusters and the ledger disagree; exits 1 when they do, so a scheduled check can page someone.</summary>
    private static Command Drift()
    {
        var cluster = new Option<string?>("--cluster") { Description = "Only this cluster: its alias or AKS resource id (default: every configured cluster)." };
        var connection = new HostConnection();
        var drift = new Command("drift", "Compare the clusters' quarantined pods with the ledger; exit 1 where they disagree or a cluster could not be read.") { cluster };
        connection.AddTo(drift);
        drift.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(cluster) is { Length: > 0 } only ? $"api/drift?cluster={Uri.EscapeDataString(only)}" : "api/drift";
            if (await connection.SendAsync<DriftReport>(parse, HttpMethod.Get, path, body: null, cancellationToken) is not { } report)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            foreach (var checkedCluster in report.Clusters)
            {
                await output.WriteLineAsync(checkedCluster.Error is { } error
                    ? $"{checkedCluster.Cluster}: not read: {error}"
                    : $"{checkedCluster.Cluster}: {checkedCluster.QuarantinedPods} quarantined pods, {checkedCluster.IsolatedRecords} records isolated");
            }

            if (report.Findings.Count > 0)
            {
                await output.WriteAsync(Table.Render(
                    ["KIND", "CLUSTER", "NAMESPACE", "POD", "RECORD", "SINCE", "DETAIL"],
                    report.Findings.Select(finding => new[]
                    {
                        KebabCaseEnumConverter.ToWireName(finding.Kind), finding.Cluster, finding.Namespace, finding.Pod,
                        finding.Record is { } record ? KebabCaseEnumConverter.ToWireName(record) : "none", finding.Since?.ToString("u") ?? string.Empty, finding.Detail,
                    })));
            }

            return report.Findings.Count == 0 && report.Clusters.All(checkedCluster => checkedCluster.Error is null) ? ContainmentCli.Ok : ContainmentCli.Failed;
        });
        return drift;
    }

    private sealed record IsolationPage(IReadOnlyList<IsolationRecord> Isolations, string? Next = null);
}
