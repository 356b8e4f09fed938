namespace Containment.Notifications;

/// <summary>A labelled value (Namespace: payments).</summary>
public sealed record NotificationFact(string Label, string Value);
