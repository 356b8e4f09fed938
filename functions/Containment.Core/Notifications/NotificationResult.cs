namespace Containment.Notifications;

/// <summary>What happened on every channel of one request. The caller decides whether a failed channel fails its step.</summary>
public sealed record NotificationResult(IReadOnlyList<ChannelResult> Channels)
{
    public bool AllSent => Channels.All(channel => channel.Status == ChannelSendStatus.Sent);

    public IEnumerable<ChannelResult> Failures => Channels.Where(channel => channel.Status == ChannelSendStatus.Failed);
}
