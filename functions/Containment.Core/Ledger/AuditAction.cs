namespace Containment.Ledger;

/// <summary>Every kind of action or decision the audit trail records.</summary>
public enum AuditAction
{
    Isolated,
    IsolationFailed,

    /// <summary>A try of the isolation failed and will be tried again; the record says Isolating, unless the pod was isolated already.</summary>
    IsolationAttemptFailed,

    /// <summary>
    /// A step of a run that had ended isolated the pod after a later run of the pod released it: its labels were given
    /// back (or, failing that, the record says Isolated again), and the later run's release stands.
    /// </summary>
    IsolationWithdrawn,
    ReleaseStarted,
    Released,
    ReleaseFailed,

    /// <summary>A try of the release failed and will be tried again; the record says Releasing, unless the pod was released already.</summary>
    ReleaseAttemptFailed,
    ApprovalRequested,
    Approved,
    Rejected,
    EventStatusChanged,
    NotificationFailed,
    PodDeleted,
    NodeCordoned,

    /// <summary>A run took its pod's hold off the node a cordon kept for it, and uncordoned the node if no other hold was left.</summary>
    NodeUncordoned,

    /// <summary>An alert's playbook ended the run holding its pod (it outranks that run's, or was run by hand) to run in its place.</summary>
    RunTakenOver,

    /// <summary>A run stored its alert's security event: the delivery that started the run did not (its insert failed, or the host stopped first).</summary>
    EventStoredByRun,
}
