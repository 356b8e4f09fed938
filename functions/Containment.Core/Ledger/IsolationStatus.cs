namespace Containment.Ledger;

/// <summary>The state of one pod's network quarantine.</summary>
public enum IsolationStatus
{
    Isolating,
    Isolated,
    Releasing,
    Released,
    Failed,
}
