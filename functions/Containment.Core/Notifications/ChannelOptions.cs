namespace Containment.Notifications;

/// <summary>One configured channel, <c>Containment:Notifications:Channels:&lt;name&gt;</c>; a subclass per <see cref="ChannelType"/>.</summary>
public abstract class ChannelOptions
{
    public string Name { get; set; } = string.Empty;

    public abstract ChannelType Type { get; }

    /// <summary>Problems that stop the host from starting, each naming the channel and the field.</summary>
    public abstract IEnumerable<string> Validate();

    protected string Missing(string field) => $"{NotificationOptions.Section}:Channels:{Name}:{field} is required for {KebabCaseEnumConverter.ToWireName(Type)} channels";

    protected IEnumerable<string> ValidateUrl(Uri? url, string field)
    {
        if (url is null)
        {
            yield return Missing(field);
        }
        else if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            yield return $"{NotificationOptions.Section}:Channels:{Name}:{field} must be an absolute http(s) URL";
        }
    }
}
