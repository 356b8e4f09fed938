using Containment.Clusters;

namespace Containment.Isolation.Drift;

/// <summary>What a drift check compared, and what disagreed.</summary>
public sealed record DriftReport(DateTimeOffset CheckedAt, IReadOnlyList<ClusterChecked> Clusters, IReadOnlyList<DriftFinding> Findings);

/// <summary>A configured cluster and whether the check could read it (<paramref name="Error"/> says why not).</summary>
/// <param name="MissingPermissions">
/// What Containment's identity may not do there, of what it needs (<see cref="ClusterAccessReview"/>): empty when it may
/// do all; null when the cluster could not be read or did not answer the review.
/// </param>
public sealed record ClusterChecked(string Cluster, int QuarantinedPods, int IsolatedRecords, string? Error = null, IReadOnlyList<KubernetesPermission>? MissingPermissions = null)
{
    public bool ShortOfAccess => MissingPermissions is { Count: > 0 };

    /// <summary>The permissions missing, as people read them (a method, so that it stays out of the report's JSON).</summary>
    public string MissingText() => string.Join("; ", MissingPermissions ?? []);
}
