using System.Text.Json;

namespace Containment.Ledger;

/// <summary>
/// The isolation state of one pod: one record per pod, its current status and who changed it last. Every
/// change is also in the audit trail under the same id.
/// </summary>
public sealed record IsolationRecord
{
    /// <summary>Derived from cluster, namespace and pod, so a pod has one record whatever alert named it.</summary>
    public required string Id { get; init; }

    public required string Cluster { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public string? Container { get; init; }

    public string? Node { get; init; }

    public required IsolationStatus Status { get; init; }

    /// <summary>Why the last isolate or release failed, when <see cref="Status"/> is Failed.</summary>
    public string? FailureReason { get; init; }

    public string? RunInstanceId { get; init; }

    /// <summary>
    /// When the run whose isolation of the pod succeeded last started: a pod's runs share <see cref="RunInstanceId"/>,
    /// and this tells which of them holds the isolation.
    /// </summary>
    public DateTimeOffset? IsolatingRunStartedAt { get; init; }

    /// <summary>
    /// The run step's call that made the last change, with the alert that started its run. A call made again (its
    /// answer lost, or its process stopped before the run kept its result) finds its own change here and does not
    /// make it twice.
    /// </summary>
    public string? ChangedByCall { get; init; }

    /// <summary>
    /// When the run whose step made the last change started (null when that run's start is not known). A step of an
    /// earlier run of the pod changes the record no more: under Durable Functions an activity goes on after its run is
    /// ended, and a later run's release or isolation must not be overwritten by it.
    /// </summary>
    public DateTimeOffset? ChangedByRunStartedAt { get; init; }

    /// <summary>The security events (alert ids) that led to this isolation.</summary>
    public IReadOnlyList<string> AlertIds { get; init; } = [];

    /// <summary>What the quarantine applied: policies, saved labels, warnings (the isolation outcome as JSON).</summary>
    public JsonElement? Applied { get; init; }

    public required string ChangedBy { get; init; }

    public required DateTimeOffset ChangedAt { get; init; }

    public string? Reason { get; init; }

    /// <summary>Since when the pod is isolated: the last isolation that found it not isolated already.</summary>
    public DateTimeOffset? IsolatedAt { get; init; }

    public DateTimeOffset? ReleasedAt { get; init; }
}
