namespace Containment.Clusters;

/// <summary>What enforces NetworkPolicy in a cluster (AKS <c>networkProfile.networkPolicy</c>).</summary>
public enum NetworkPolicyEngine
{
    /// <summary>Not configured and not discoverable (a kubeconfig cluster without an override).</summary>
    Unknown,
    None,
    Azure,
    Calico,
    Cilium,
}
