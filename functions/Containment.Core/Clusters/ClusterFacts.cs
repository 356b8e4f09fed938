namespace Containment.Clusters;

/// <summary>What isolation needs to know about a cluster; cached with its client.</summary>
public sealed record ClusterFacts(
    string Alias,
    string Server,
    NetworkPolicyEngine Engine,
    bool EngineConfigured,
    bool ServesCiliumNetworkPolicies);
