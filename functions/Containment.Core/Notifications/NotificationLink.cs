namespace Containment.Notifications;

/// <summary>A link button. Links open pages; they never decide anything by being opened.</summary>
public sealed record NotificationLink(string Label, Uri Url, NotificationLinkStyle Style = NotificationLinkStyle.Default);
