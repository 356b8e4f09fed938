namespace Containment.Ledger;

/// <summary>Every kind of action or decision the audit trail records.</summary>
public enum AuditAction
{
    Isolated,
    IsolationFailed,

    /// <summary>A try of the isolation failed and will be tried again; the record is left as it was.</summary>
    IsolationAttemptFailed,
    ReleaseStarted,
    Released,
    ReleaseFailed,

    /// <summary>A try of the release failed and will be tried again; the record is left as it was.</summary>
    ReleaseAttemptFailed,
    ApprovalRequested,
    Approved,
    Rejected,
    EventStatusChanged,
    NotificationFailed,
    PodDeleted,
    NodeCordoned,
}
