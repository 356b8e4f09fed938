namespace Containment.Playbooks;

/// <summary>Sends a message, from one of the product's templates, to named channels.</summary>
public sealed record NotifyStep : Step
{
    public const string TypeName = "notify";

    public required IReadOnlyList<string> Channels { get; init; }

    public required NotificationTemplate Template { get; init; }

    /// <summary>Extra text added to the template's message.</summary>
    public string? Message { get; init; }
}
