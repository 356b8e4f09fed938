namespace Containment.Notifications;

/// <summary>Sends one templated message to the named channels, retrying transient failures per channel.</summary>
public interface INotificationSender
{
    /// <summary>A playbook's message about an alert and its run.</summary>
    Task<NotificationResult> SendAsync(NotificationRequest request, CancellationToken cancellationToken);

    /// <summary>The drift watch's message about disagreements between the clusters and the isolation ledger.</summary>
    Task<NotificationResult> SendAsync(DriftNotice notice, CancellationToken cancellationToken);
}
