namespace Containment.Isolation.Drift;

/// <summary>How a pod on a cluster and its isolation record disagree.</summary>
public enum DriftKind
{
    /// <summary>The pod carries a quarantine, and its record says it is not isolated (released, failed) or there is none.</summary>
    QuarantinedWithoutIsolation,

    /// <summary>The pod carries a quarantine, and no deny-all NetworkPolicy of Containment selects it: it is not cut off.</summary>
    QuarantinedWithoutFence,

    /// <summary>The record says isolated, and the pod carries no quarantine: it has its network.</summary>
    IsolatedButNotQuarantined,

    /// <summary>The record says isolated, and the pod no longer exists.</summary>
    IsolatedButPodGone,

    /// <summary>A node is kept cordoned for the pod, and its record says it is not isolated (released, failed) or there is none.</summary>
    CordonedWithoutIsolation,

    /// <summary>
    /// A deny-all NetworkPolicy of Containment fences a quarantine no pod of its namespace carries, and the pod it was made
    /// for is not isolated by its record: left by an isolation that was withdrawn, or made ahead for a run never stored.
    /// </summary>
    FenceWithoutQuarantine,
}
