namespace Containment.Notifications;

/// <summary>A Teams channel reached through a Workflows ("When a Teams webhook request is received") URL.</summary>
public sealed class TeamsChannelOptions : ChannelOptions
{
    public override ChannelType Type => ChannelType.Teams;

    /// <summary>The workflow's URL; it carries its signature in the query, so it is a secret.</summary>
    public Uri? Url { get; set; }

    public override IEnumerable<string> Validate() => ValidateUrl(Url, nameof(Url));
}
