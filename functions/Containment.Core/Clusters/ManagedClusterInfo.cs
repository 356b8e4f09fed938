namespace Containment.Clusters;

/// <summary>What Containment reads from an AKS managed cluster resource.</summary>
public sealed record ManagedClusterInfo(
    string ResourceId,
    NetworkPolicyEngine NetworkPolicy,
    string? Fqdn,
    string? PrivateFqdn,
    bool EntraIntegrated,
    bool AzureRbac);
