using Containment.Clusters;
using Containment.Isolation.Actions.Quarantine;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Isolation.Actions.CordonNode;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LedgerStatus = Containment.Ledger.IsolationStatus;

namespace Containment.Isolation.Drift;

/// <summary>
/// Compares every configured cluster's quarantined pods with the isolation ledger, and says where they disagree: a pod
/// cut off that the ledger calls released, one the ledger calls isolated that has its network, a quarantine with no fence.
/// Steps of ended runs, hosts stopped between a write to the cluster and its record, and changes made by hand all end
/// there. It reports and changes nothing: what to do is a person's decision (a release, or an isolation, by hand).
/// </summary>
public sealed partial class LedgerDriftCheck(
    ClusterRegistry clusters,
    KubernetesCallPipeline calls,
    ClusterAccessReview access,
    IsolationLedger isolations,
    IPlaybookRuntime runtime,
    IOptions<DriftOptions> options,
    TimeProvider time,
    ILogger<LedgerDriftCheck> logger)
{
    /// <summary>What the check reads, across every namespace: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } =
    [
        new("", "pods", ["get", "list"]),
        new("", "nodes", ["list"]),
        new("networking.k8s.io", "networkpolicies", ["list"]),
    ];

    /// <param name="only">The configured cluster (its alias) to check; null: every configured cluster.</param>
    public async Task<DriftReport> CheckAsync(CancellationToken cancellationToken, string? only = null)
    {
        var checkedAt = time.GetUtcNow();
        var checkedClusters = new List<ClusterChecked>();
        var findings = new List<DriftFinding>();
        IEnumerable<string> aliases = only is null ? clusters.Configured.Keys.Order(StringComparer.Ordinal) : [only];
        foreach (var alias in aliases)
        {
            try
            {
                var (cluster, found) = await CheckClusterAsync(alias, checkedAt - options.Value.Settling, cancellationToken);
                checkedClusters.Add(cluster);
                findings.AddRange(found);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // One cluster out of reach does not hide what the others show.
                LogClusterUnchecked(logger, exception, alias);
                checkedClusters.Add(new ClusterChecked(alias, 0, 0, exception.Message));
            }
        }

        return new DriftReport(checkedAt, checkedClusters, findings);
    }

    private async Task<(ClusterChecked Cluster, List<DriftFinding> Findings)> CheckClusterAsync(string alias, DateTimeOffset settledBefore, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(alias, cancellationToken);
        var client = connection.Client;
        var quarantined = (await calls.ExecuteAsync(new KubernetesOperation("list", "pods"),
            ct => client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: QuarantineNames.QuarantineLabel, cancellationToken: ct), cancellationToken)).Items;
        var policies = (await calls.ExecuteAsync(new KubernetesOperation("list", "networkpolicies"),
            ct => client.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(labelSelector: $"{QuarantineNames.ManagedByLabel}={QuarantineNames.ManagedByValue}", cancellationToken: ct), cancellationToken)).Items;

        // The quarantines a deny-all fences, by namespace: the quarantine its selector names, when it is a deny-all of it.
        var fences = new List<(V1NetworkPolicy Policy, string QuarantineId)>();
        foreach (var policy in policies)
        {
            if (QuarantineNames.FencedBy(policy) is { } fencedId && QuarantinePolicyWrites.IsDenyAll(policy, fencedId))
            {
                fences.Add((policy, fencedId));
            }
        }

        var fenced = fences.Select(fence => (fence.Policy.Metadata.NamespaceProperty, fence.QuarantineId)).ToHashSet();

        var records = new Dictionary<(string Namespace, string Pod), IsolationRecord>();
        await foreach (var record in isolations.ReadAllAsync(new IsolationQuery(Cluster: alias), cancellationToken))
        {
            records[(record.Namespace, record.Pod)] = record;
        }

        var findings = new List<DriftFinding>();
        var quarantinedPods = new HashSet<(string Namespace, string Pod)>();
        foreach (var pod in quarantined)
        {
            var (ns, name) = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            quarantinedPods.Add((ns, name));
            var quarantineId = pod.Metadata.Labels[QuarantineNames.QuarantineLabel];
            var record = records.GetValueOrDefault((ns, name));
            var since = Later(RunStamp.On(pod), record?.ChangedAt);
            if (since > settledBefore)
            {
                continue;
            }

            var id = record?.Id ?? RunInstanceId.ForTarget(alias, ns, name);
            if (NotIsolatedBy(record) && await StillDisagreesAsync(id, record, cancellationToken))
            {
                findings.Add(new DriftFinding(DriftKind.QuarantinedWithoutIsolation, alias, ns, name, id,
                    $"the pod carries quarantine {quarantineId}, and {RecordSays(record)}", record?.Status, since));
            }

            if (!fenced.Contains((ns, quarantineId)))
            {
                findings.Add(new DriftFinding(DriftKind.QuarantinedWithoutFence, alias, ns, name, id,
                    $"the pod carries quarantine {quarantineId}, and no deny-all NetworkPolicy of Containment in {ns} selects it: it is not cut off", record?.Status, since));
            }
        }

        var isolated = records.Values.Count(record => record.Status == LedgerStatus.Isolated);
        foreach (var record in records.Values.Where(record => record.Status == LedgerStatus.Isolated && record.ChangedAt <= settledBefore && !quarantinedPods.Contains((record.Namespace, record.Pod))))
        {
            // Not among the quarantined pods listed: gone, or given back (or quarantined since the list, which is no drift).
            var pod = await calls.ReadPodOrDefaultAsync(client, record.Namespace, record.Pod, cancellationToken);
            var (kind, podSays) = pod is null
                ? (DriftKind.IsolatedButPodGone, "the pod no longer exists")
                : (DriftKind.IsolatedButNotQuarantined, "the pod carries no quarantine: it has its network");
            if (!QuarantineNames.IsQuarantined(pod) && await StillDisagreesAsync(record.Id, record, cancellationToken))
            {
                findings.Add(new DriftFinding(kind, alias, record.Namespace, record.Pod, record.Id,
                    $"the record says isolated since {record.ChangedAt:u}, and {podSays}", record.Status, record.ChangedAt));
            }
        }

        var carried = quarantined.Select(pod => (pod.Metadata.NamespaceProperty, pod.Metadata.Labels[QuarantineNames.QuarantineLabel])).ToHashSet();
        findings.AddRange(FencesWithoutQuarantine(alias, fences, carried, records, settledBefore));
        findings.AddRange(await NodesHeldWithoutIsolationAsync(client, alias, records, settledBefore, cancellationToken));
        // Asked once the cluster has been read: an unreadable one is not asked 13 to 17 more times in vain.
        var missing = await access.MissingAsync(alias, connection, cancellationToken);
        return (new ClusterChecked(alias, quarantined.Count, isolated, MissingPermissions: missing), findings);
    }

    /// <summary>
    /// Deny-all policies that select no pod, made for a pod the ledger calls released, failed, or does not know. A fence
    /// is made a moment before its relabel (and ahead of it, beside the run's insert), so a young one is left to settle.
    /// </summary>
    private static IEnumerable<DriftFinding> FencesWithoutQuarantine(
        string alias, List<(V1NetworkPolicy Policy, string QuarantineId)> fences, HashSet<(string Namespace, string QuarantineId)> carried,
        Dictionary<(string Namespace, string Pod), IsolationRecord> records, DateTimeOffset settledBefore)
    {
        foreach (var (policy, quarantineId) in fences)
        {
            var ns = policy.Metadata.NamespaceProperty;
            string? pod = null;
            if (carried.Contains((ns, quarantineId)) || policy.Metadata.Annotations?.TryGetValue(QuarantineNames.PodAnnotation, out pod) != true || string.IsNullOrEmpty(pod))
            {
                continue;
            }

            var record = records.GetValueOrDefault((ns, pod));
            var made = policy.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            var since = Later(made, record?.ChangedAt);
            if (since > settledBefore || !NotIsolatedBy(record))
            {
                continue;
            }

            yield return new DriftFinding(DriftKind.FenceWithoutQuarantine, alias, ns, pod, record?.Id ?? RunInstanceId.ForTarget(alias, ns, pod),
                $"NetworkPolicy {policy.Metadata.Name} fences quarantine {quarantineId}, which no pod in {ns} carries, and {RecordSays(record)}", record?.Status, since);
        }
    }

    /// <summary>
    /// Nodes kept cordoned for a pod the ledger calls released, failed, or does not know: an uncordonNode step that failed,
    /// or a run ended before it came. A cluster whose nodes the identity may not read still has its pods checked.
    /// </summary>
    private async Task<List<DriftFinding>> NodesHeldWithoutIsolationAsync(
        IKubernetes client, string alias, Dictionary<(string Namespace, string Pod), IsolationRecord> records, DateTimeOffset settledBefore,
        CancellationToken cancellationToken)
    {
        IList<V1Node> cordoned;
        try
        {
            cordoned = await calls.ListCordonedAsync(client, cancellationToken);
        }
        catch (KubernetesOperationException exception) when (exception.Failure.Reason == KubernetesFailureReason.Forbidden)
        {
            LogNodesUnchecked(logger, alias, exception.Failure.Message);
            return [];
        }

        var findings = new List<DriftFinding>();
        foreach (var node in cordoned)
        {
            foreach (var (holder, stamp) in CordonHolds.On(node) ?? new Dictionary<string, string>())
            {
                if (CordonHolds.PodOf(holder) is not { } pod)
                {
                    continue;
                }

                var (ns, name) = pod;

                var record = records.GetValueOrDefault((ns, name));
                var since = Later(CordonHolds.StartOf(stamp), record?.ChangedAt);
                if (since > settledBefore || !NotIsolatedBy(record))
                {
                    continue;
                }

                findings.Add(new DriftFinding(DriftKind.CordonedWithoutIsolation, alias, ns, name, record?.Id ?? RunInstanceId.ForTarget(alias, ns, name),
                    $"node {node.Metadata.Name} is kept cordoned for the pod, and {RecordSays(record)}", record?.Status, since));
            }
        }

        return findings;
    }

    /// <summary>
    /// Whether a disagreement between the pod as read and <paramref name="record"/> stands: the pod's run is not changing
    /// its network now, and the record, read again, still says what it said. A run relabels the pod (to isolate it, or
    /// back to release it) a moment before its record says so; a run started long ago, whose approval came just now, is
    /// that moment past every settling window its start or record gives. The run's step under way is stored before it
    /// acts and ends only once its record is written, so a check that finds the run past it finds the record written.
    /// A run waiting (for an approval, say) changes nothing meanwhile, and is no reason to stay silent.
    /// </summary>
    private async Task<bool> StillDisagreesAsync(string id, IsolationRecord? record, CancellationToken cancellationToken)
    {
        if (await runtime.GetStatusAsync(id, cancellationToken) is { Phase: not RunPhase.Finished } run && HeldIsolation.ChangingNetwork(run.History))
        {
            return false;
        }

        var now = await isolations.GetAsync(id, cancellationToken);
        return now?.Status == record?.Status && now?.ChangedAt == record?.ChangedAt;
    }

    /// <summary>Whether the ledger holds the pod not isolated: released, failed, or no record at all (isolating and releasing are under way).</summary>
    private static bool NotIsolatedBy(IsolationRecord? record) => record is null or { Status: LedgerStatus.Released or LedgerStatus.Failed };

    private static string RecordSays(IsolationRecord? record) => record is null
        ? "there is no isolation record"
        : $"its record says {KebabCaseEnumConverter.ToWireName(record.Status)} since {record.ChangedAt:u}";

    private static DateTimeOffset? Later(DateTimeOffset? first, DateTimeOffset? second) =>
        first is null ? second : second is null ? first : first > second ? first : second;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift check could not read the nodes of cluster {Cluster}: {Reason}; its pods are checked")]
    private static partial void LogNodesUnchecked(ILogger logger, string cluster, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift check could not read cluster {Cluster}")]
    private static partial void LogClusterUnchecked(ILogger logger, Exception exception, string cluster);
}
