namespace Containment.Notifications;

/// <summary>A generic JSON webhook, optionally signed (see <see cref="Channels.WebhookSignature"/>).</summary>
public sealed class WebhookChannelOptions : ChannelOptions
{
    public override ChannelType Type => ChannelType.Webhook;

    public Uri? Url { get; set; }

    /// <summary>When set, every POST carries <c>X-Containment-Signature</c> and <c>X-Containment-Timestamp</c>.</summary>
    public string? Secret { get; set; }

    public override IEnumerable<string> Validate()
    {
        foreach (var problem in ValidateUrl(Url, nameof(Url)))
        {
            yield return problem;
        }

        if (Secret is { Length: > 0 and < 16 })
        {
            yield return $"{NotificationOptions.Section}:Channels:{Name}:{nameof(Secret)} must be at least 16 characters";
        }
    }
}
