namespace Containment.Notifications;

/// <summary>The outcome on one channel: sent, or failed with a reason that names the channel and never its URL.</summary>
public sealed record ChannelResult(string Channel, ChannelSendStatus Status, int Attempts, string? Reason = null)
{
    public static ChannelResult Sent(string channel, int attempts) => new(channel, ChannelSendStatus.Sent, attempts);

    public static ChannelResult Failed(string channel, int attempts, string reason) =>
        new(channel, ChannelSendStatus.Failed, attempts, $"channel {channel}: {reason}");
}
