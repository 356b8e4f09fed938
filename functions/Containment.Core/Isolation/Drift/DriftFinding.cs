using LedgerStatus = Containment.Ledger.IsolationStatus;

namespace Containment.Isolation.Drift;

/// <summary>A pod whose state on its cluster and whose isolation record disagree, and what each says.</summary>
/// <param name="Record">The record's status; null when the pod has no record.</param>
/// <param name="Since">When the later of the two changed: the record's last change, or the start of the run that quarantined the pod.</param>
public sealed record DriftFinding(
    DriftKind Kind,
    string Cluster,
    string Namespace,
    string Pod,
    string IsolationId,
    string Detail,
    LedgerStatus? Record = null,
    DateTimeOffset? Since = null);
