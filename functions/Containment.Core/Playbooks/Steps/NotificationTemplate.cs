namespace Containment.Playbooks;

/// <summary>The messages the product sends; their wording lives in one place in Notifications.</summary>
public enum NotificationTemplate
{
    AlertReceived,
    Isolated,
    ApprovalRequested,
    Approved,
    Rejected,
    TimedOut,
    Escalation,
    Released,
    Failed,
    MalwareNeedsHandling,
}
