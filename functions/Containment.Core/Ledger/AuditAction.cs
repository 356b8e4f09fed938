namespace Containment.Ledger;

/// <summary>Every kind of action or decision the audit trail records.</summary>
public enum AuditAction
{
    AlertReceived,
    AlertIgnored,
    RunStarted,
    IsolationStarted,
    Isolated,
    IsolationFailed,
    ReleaseStarted,
    Released,
    ReleaseFailed,
    ApprovalRequested,
    Approved,
    Rejected,
    ApprovalTimedOut,
    EventStatusChanged,
    Notified,
    NotificationFailed,
    PodDeleted,
    NodeCordoned,
}
