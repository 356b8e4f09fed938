using System.CommandLine;
using Containment.Isolation.Drift;

namespace Containment.Local.Cli;

/// <summary>
/// <c>isolations drift [--cluster C]</c>: where the clusters and the ledger disagree; exits 1 when they do, when a
/// cluster could not be read, or when Containment may not do there all it needs, so a scheduled check can page someone.
/// </summary>
internal static class DriftCommand
{
    public static Command Create()
    {
        var cluster = new Option<string?>("--cluster") { Description = "Only this cluster: its alias or AKS resource id (default: every configured cluster)." };
        var connection = new HostConnection();
        var drift = new Command("drift", "Compare the clusters' quarantined pods with the ledger, and check what Containment may do there; exit 1 where they disagree, a cluster could not be read, or a permission is missing.") { cluster };
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
                if (checkedCluster.ShortOfAccess)
                {
                    await output.WriteLineAsync($"{checkedCluster.Cluster}: Containment may not {checkedCluster.MissingText()} (./containment rbac prints the role it needs)");
                }
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

            return report.Findings.Count == 0 && report.Clusters.All(checkedCluster => checkedCluster.Error is null && !checkedCluster.ShortOfAccess) ? ContainmentCli.Ok : ContainmentCli.Failed;
        });
        return drift;
    }
}
