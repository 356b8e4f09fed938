using Containment.Alerts;
using Containment.Clusters;

namespace Containment.Intake;

/// <summary>
/// The configured cluster an alert is about (<see cref="Alias"/>, and the AKS resource id it is configured with, if any),
/// or why none is (<see cref="Reason"/>).
/// </summary>
public sealed record AlertCluster(string? Alias = null, string? Reason = null, string? ResourceId = null)
{
    private const string HowToConfigure = "(Containment:Clusters:<alias> with Kubeconfig or ResourceId)";

    /// <summary>
    /// An AKS resource id decides when the alert gives one. The name the detector gave is used otherwise, and for a
    /// resource id not configured when the cluster of that name has no resource id to tell them apart. A cluster of that
    /// name configured with another resource id is another cluster (one name in two subscriptions), and a pod of the
    /// alert's name there is not the alert's pod.
    /// </summary>
    public static AlertCluster Of(AlertTarget target, IReadOnlyDictionary<string, ClusterSettings> clusters)
    {
        if (target.ClusterResourceId is { } resourceId)
        {
            if (ClusterLookup.Find(clusters, resourceId) is { } byId)
            {
                return Taken(byId);
            }

            return target.Cluster is { } named && ClusterLookup.Find(clusters, named) is { } byName
                ? byName.Settings.ResourceId is { } other
                    ? new AlertCluster(Reason: $"cluster {resourceId} is not configured; the cluster configured as {byName.Alias} is named {named} too, but its resource id is {other}")
                    : Taken(byName)
                : new AlertCluster(Reason: $"cluster {resourceId} is not configured {HowToConfigure}");
        }

        if (target.Cluster is not { } name)
        {
            // An alert that names several clusters and not the pod's names no cluster either, but its pod is not
            // to be looked for in the only one configured: that may hold another pod of the name.
            if (target.ClusterCandidates is { Count: > 0 } candidates)
            {
                return new AlertCluster(Reason: $"the alert names {candidates.Count} clusters ({string.Join(", ", candidates)}) and not which holds pod {target.Namespace}/{target.Pod}");
            }

            return ClusterLookup.Find(clusters, string.Empty) is { } only
                ? Taken(only)
                : new AlertCluster(Reason: $"the alert names no cluster and {clusters.Count} are configured");
        }

        return ClusterLookup.Find(clusters, name) is { } found
            ? Taken(found)
            : new AlertCluster(Reason: $"cluster {name} is not configured {HowToConfigure}");
    }

    private static AlertCluster Taken(ConfiguredCluster cluster) => new(cluster.Alias, ResourceId: cluster.Settings.ResourceId);
}
