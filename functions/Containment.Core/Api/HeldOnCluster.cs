namespace Containment.Api;

/// <summary>What a release by hand still gives back on the cluster though the ledger says there is nothing to release.</summary>
internal enum HeldOnCluster
{
    Quarantine,
    CordonedNode,

    /// <summary>The pod's deny-all policy, selecting no pod.</summary>
    Fence,
}
