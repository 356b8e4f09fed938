namespace Containment.Notifications;

/// <summary>Sends one templated message to the named channels, retrying transient failures per channel.</summary>
public interface INotificationSender
{
    Task<NotificationResult> SendAsync(NotificationRequest request, CancellationToken cancellationToken);
}
