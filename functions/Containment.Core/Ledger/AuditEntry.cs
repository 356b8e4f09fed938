using System.Text.Json;
using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>One append-only row of the audit trail: what happened to a subject (an isolation or an event), when, by whom.</summary>
public sealed record AuditEntry
{
    /// <summary>The isolation id or security event id the entry belongs to.</summary>
    public required string SubjectId { get; init; }

    public required AuditAction Action { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>A person (approver, API caller) or <c>containment</c> for automatic actions.</summary>
    public required string Actor { get; init; }

    public string? Detail { get; init; }

    public string? RunInstanceId { get; init; }

    public JsonElement? Data { get; init; }

    /// <summary>The entry for a security event's status change, by a run or by hand.</summary>
    public static AuditEntry EventStatusChanged(string eventId, EventStatus before, EventStatus after, string? reason, string actor, DateTimeOffset at, string? runInstanceId) => new()
    {
        SubjectId = eventId,
        Action = AuditAction.EventStatusChanged,
        At = at,
        Actor = actor,
        RunInstanceId = runInstanceId,
        Detail = $"{KebabCaseEnumConverter.ToWireName(before)} → {KebabCaseEnumConverter.ToWireName(after)}{(reason is null ? string.Empty : ": " + reason)}",
    };
}
