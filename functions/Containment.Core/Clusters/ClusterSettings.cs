namespace Containment.Clusters;

/// <summary>One entry of <c>Containment:Clusters:&lt;alias&gt;</c>: a kubeconfig context or an AKS resource id.</summary>
public sealed class ClusterSettings
{
    public string? Kubeconfig { get; set; }

    public string? Context { get; set; }

    /// <summary>AKS managed cluster resource id, <c>/subscriptions/../managedClusters/{name}</c>.</summary>
    public string? ResourceId { get; set; }

    /// <summary>Overrides what the cluster reports (or, for kubeconfig clusters, says what it has).</summary>
    public NetworkPolicyEngine? NetworkPolicyEngine { get; set; }
}
