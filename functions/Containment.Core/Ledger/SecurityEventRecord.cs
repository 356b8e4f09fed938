using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>A stored alert and its processing status.</summary>
public sealed record SecurityEventRecord
{
    /// <summary>An alert taken in for a run, not yet processed: as admission stores it, or its run when admission did not.</summary>
    public static SecurityEventRecord Unprocessed(Alert alert, string playbook, string runInstanceId, DateTimeOffset at, string actor) => new()
    {
        Id = SecurityEventLedger.IdOf(alert),
        Alert = alert,
        Playbook = playbook,
        RunInstanceId = runInstanceId,
        Status = EventStatus.Unprocessed,
        ReceivedAt = at,
        ChangedAt = at,
        ChangedBy = actor,
    };

    /// <summary>Source and alert id together: detectors' ids are unique only within a detector.</summary>
    public required string Id { get; init; }

    public required Alert Alert { get; init; }

    public string? Playbook { get; init; }

    public string? RunInstanceId { get; init; }

    public required EventStatus Status { get; init; }

    public string? StatusReason { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required DateTimeOffset ChangedAt { get; init; }

    public required string ChangedBy { get; init; }
}
