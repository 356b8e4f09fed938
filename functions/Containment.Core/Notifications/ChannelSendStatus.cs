namespace Containment.Notifications;

public enum ChannelSendStatus
{
    Sent,
    Failed,
}
