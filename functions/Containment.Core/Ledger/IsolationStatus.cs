namespace Containment.Ledger;

/// <summary>
/// The state of one pod's network quarantine. A record is written once the cluster has answered; while
/// the calls are under way the run says which step it is in.
/// </summary>
public enum IsolationStatus
{
    /// <summary>A try to isolate failed and another follows: the pod may be fenced but not yet relabelled out of its allow policies.</summary>
    Isolating,

    Isolated,

    /// <summary>A try to release failed and another follows: the pod may have its labels back with its fence still up.</summary>
    Releasing,

    Released,

    Failed,
}
