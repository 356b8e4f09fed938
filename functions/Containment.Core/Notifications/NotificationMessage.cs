namespace Containment.Notifications;

/// <summary>A message in no channel's format: every channel renders this, so wording lives in <see cref="NotificationTemplates"/> only.</summary>
public sealed record NotificationMessage
{
    /// <summary>What the message is about, in wire form: its template's name (<c>isolated</c>, <c>approval-requested</c>) or <c>drift-found</c>.</summary>
    public required string Event { get; init; }

    public required string Title { get; init; }

    /// <summary>One or two plain sentences; the playbook's extra message is appended.</summary>
    public required string Summary { get; init; }

    public required IReadOnlyList<NotificationFact> Facts { get; init; }

    public IReadOnlyList<NotificationLink> Links { get; init; } = [];

    /// <summary>True when the message asks for attention (alerts, approvals, failures) rather than reports an outcome.</summary>
    public bool Urgent { get; init; }
}
