namespace Containment.Clusters;

/// <summary>What Containment reads from an AKS managed cluster resource.</summary>
public sealed record ManagedClusterInfo(
    string ResourceId,
    NetworkPolicyEngine NetworkPolicy,
    bool EntraIntegrated,
    bool AzureRbac,
    string? Fqdn = null,
    string? PrivateFqdn = null);
