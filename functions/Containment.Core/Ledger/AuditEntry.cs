using System.Text.Json;

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
}
