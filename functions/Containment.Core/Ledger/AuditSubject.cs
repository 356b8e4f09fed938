namespace Containment.Ledger;

/// <summary>What an audit entry is about; its rows live in the partition of that subject's record.</summary>
public enum AuditSubject
{
    /// <summary>A pod's isolation (the id is the isolation id, which is also its runs' instance id).</summary>
    Isolation,

    /// <summary>A security event (the id is the event id).</summary>
    SecurityEvent,
}
