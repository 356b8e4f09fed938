namespace Containment.Ledger;

/// <summary>Every kind of action or decision the audit trail records.</summary>
public enum AuditAction
{
    Isolated,
    IsolationFailed,
    ReleaseStarted,
    Released,
    ReleaseFailed,
    ApprovalRequested,
    Approved,
    Rejected,
    EventStatusChanged,
    NotificationFailed,
    PodDeleted,
    NodeCordoned,
}
