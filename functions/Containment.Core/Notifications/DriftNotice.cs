using Containment.Isolation.Drift;

namespace Containment.Notifications;

/// <summary>What the drift watch reports: disagreements and unreadable clusters it has not reported before.</summary>
/// <param name="CheckedAt">When the check that found them began.</param>
/// <param name="Findings">Disagreements new since the watch's last report.</param>
/// <param name="UncheckedClusters">Clusters the check could not read, newly so; their isolations cannot be verified.</param>
/// <param name="Standing">Every disagreement the check found, those reported before included.</param>
/// <param name="Channels">Channel names as configured under <c>Containment:Notifications:Channels</c>.</param>
public sealed record DriftNotice(
    DateTimeOffset CheckedAt,
    IReadOnlyList<DriftFinding> Findings,
    IReadOnlyList<ClusterChecked> UncheckedClusters,
    int Standing,
    IReadOnlyList<string> Channels)
{
    public const string Event = "drift-found";
}
