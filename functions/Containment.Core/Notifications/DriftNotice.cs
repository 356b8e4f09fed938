using Containment.Isolation.Drift;

namespace Containment.Notifications;

/// <summary>What the drift watch reports: disagreements and unreadable clusters it has not reported before, and those that have cleared.</summary>
/// <param name="CheckedAt">When the check that found them began.</param>
/// <param name="Findings">Disagreements new since the watch's last report.</param>
/// <param name="UncheckedClusters">Clusters the check could not read, newly so; their isolations cannot be verified.</param>
/// <param name="Standing">Every disagreement the check found, those reported before included.</param>
/// <param name="Cleared">What was reported before and the check no longer finds.</param>
/// <param name="Channels">Channel names as configured under <c>Containment:Notifications:Channels</c>.</param>
public sealed record DriftNotice(
    DateTimeOffset CheckedAt,
    IReadOnlyList<DriftFinding> Findings,
    IReadOnlyList<ClusterChecked> UncheckedClusters,
    int Standing,
    IReadOnlyList<DriftCleared> Cleared,
    IReadOnlyList<string> Channels)
{
    /// <summary>Clusters where Containment's identity may not do all it needs (<see cref="ClusterChecked.MissingPermissions"/>), newly so.</summary>
    public IReadOnlyList<ClusterChecked> ShortOfAccess { get; init; } = [];

    public const string FoundEvent = "drift-found";

    public const string ClearedEvent = "drift-cleared";

    /// <summary>Found when anything is new, cleared when the notice only says what has cleared.</summary>
    public string Event => Findings.Count > 0 || UncheckedClusters.Count > 0 || ShortOfAccess.Count > 0 ? FoundEvent : ClearedEvent;
}
