namespace Containment.Notifications;

/// <summary>A Slack incoming webhook.</summary>
public sealed class SlackChannelOptions : ChannelOptions
{
    public override ChannelType Type => ChannelType.Slack;

    /// <summary>The incoming webhook URL; a secret.</summary>
    public Uri? Url { get; set; }

    public override IEnumerable<string> Validate() => ValidateUrl(Url, nameof(Url));
}
