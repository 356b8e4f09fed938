namespace Containment.Notifications;

/// <summary>The <c>Type</c> setting of a channel.</summary>
public enum ChannelType
{
    Teams,
    Slack,
    Email,
    Webhook,
}
