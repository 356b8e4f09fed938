using Containment.Notifications;

namespace Containment.Isolation.Drift;

/// <summary>What one round of the drift watch found and did.</summary>
/// <param name="Report">The whole check.</param>
/// <param name="Reported">Disagreements reported this round: new since the watch last reported.</param>
/// <param name="UncheckedClusters">Clusters reported this round as unreadable.</param>
/// <param name="Cleared">Disagreements and unreadable clusters reported before that the check no longer finds.</param>
/// <param name="Notification">The channels' outcome; null when nothing was new or no channel is configured.</param>
public sealed record DriftWatchOutcome(
    DriftReport Report,
    IReadOnlyList<DriftFinding> Reported,
    IReadOnlyList<ClusterChecked> UncheckedClusters,
    IReadOnlyList<DriftCleared> Cleared,
    NotificationResult? Notification = null)
{
    /// <summary>Clusters where Containment may not do all it needs, newly reported in this round.</summary>
    public IReadOnlyList<ClusterChecked> ShortOfAccess { get; init; } = [];
}
