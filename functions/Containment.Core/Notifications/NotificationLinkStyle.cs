namespace Containment.Notifications;

public enum NotificationLinkStyle
{
    Default,
    Positive,
    Destructive,
}
