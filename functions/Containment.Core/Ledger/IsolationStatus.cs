namespace Containment.Ledger;

/// <summary>
/// The state of one pod's network quarantine. A record is written once the cluster has answered; while
/// the calls are under way the run says which step it is in.
/// </summary>
public enum IsolationStatus
{
    Isolated,
    Released,
    Failed,
}
