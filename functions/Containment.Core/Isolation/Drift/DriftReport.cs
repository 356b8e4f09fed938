namespace Containment.Isolation.Drift;

/// <summary>What a drift check compared, and what disagreed.</summary>
public sealed record DriftReport(DateTimeOffset CheckedAt, IReadOnlyList<ClusterChecked> Clusters, IReadOnlyList<DriftFinding> Findings);

/// <summary>A configured cluster and whether the check could read it (<paramref name="Error"/> says why not).</summary>
public sealed record ClusterChecked(string Cluster, int QuarantinedPods, int IsolatedRecords, string? Error = null);
