namespace Containment.Intake;

/// <summary>One alert's line in the answer to <c>POST /api/alerts</c>.</summary>
public sealed record AdmissionEntry
{
    public required string AlertId { get; init; }

    public required string EventId { get; init; }

    public required AdmissionOutcome Outcome { get; init; }

    public string? Playbook { get; init; }

    public string? InstanceId { get; init; }

    /// <summary>Why an alert was ignored or was a duplicate, whose run it joined when that runs another playbook, or whose run it took the pod from.</summary>
    public string? Reason { get; init; }

    public Uri? StatusUrl { get; init; }
}
