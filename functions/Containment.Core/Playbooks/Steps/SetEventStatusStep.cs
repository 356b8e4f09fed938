using Containment.Alerts;

namespace Containment.Playbooks;

/// <summary>Sets the processing status of the run's security event.</summary>
public sealed record SetEventStatusStep : Step
{
    public const string TypeName = "setEventStatus";

    public required EventStatus Status { get; init; }

    public string? Reason { get; init; }
}
