using Containment.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Drift;

/// <summary>
/// The drift check on a schedule, for people: each round checks every cluster, reports to the configured channels the
/// disagreements (and unreadable clusters) it has not reported before and those reported before that have cleared, and
/// forgets the cleared. A disagreement whose report reached no channel is not remembered, so the next round sends it
/// again. Nothing on a cluster or in the ledger changes.
/// </summary>
public sealed partial class DriftWatch(
    LedgerDriftCheck check,
    ReportedDrift reported,
    INotificationSender sender,
    IOptions<DriftOptions> options,
    ILogger<DriftWatch> logger)
{
    public async Task<DriftWatchOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var report = await check.CheckAsync(cancellationToken);
        var (news, unread, shortOfAccess, remember, forget, retired) = Compare(report, await reported.ReadAsync(cancellationToken));
        foreach (var finding in news)
        {
            LogDisagreement(logger, finding.Kind, finding.Cluster, finding.Namespace, finding.Pod, finding.Detail);
        }

        foreach (var cluster in unread)
        {
            LogClusterUnread(logger, cluster.Cluster, cluster.Error);
        }

        foreach (var cluster in shortOfAccess)
        {
            LogShortOfAccess(logger, cluster.Cluster, cluster.MissingText());
        }

        List<DriftCleared> cleared = [.. forget.SelectMany(entry => entry.Value.Select(key => ReportedDrift.ClearedOf(entry.Key, key)))];
        if (cleared.Count > 0)
        {
            LogCleared(logger, cleared.Count);
        }

        NotificationResult? notification = null;
        if ((news.Count > 0 || unread.Count > 0 || shortOfAccess.Count > 0 || cleared.Count > 0) && options.Value.Channels.Count > 0)
        {
            notification = await sender.SendAsync(
                new DriftNotice(report.CheckedAt, news, unread, report.Findings.Count, cleared, options.Value.Channels) { ShortOfAccess = shortOfAccess }, cancellationToken);
        }

        if (notification is null || notification.Channels.Any(channel => channel.Status == ChannelSendStatus.Sent))
        {
            foreach (var (cluster, keys) in remember.Where(entry => entry.Value.Count > 0))
            {
                await reported.AddAsync(cluster, keys, report.CheckedAt, cancellationToken);
            }
        }
        else
        {
            LogReportUnsent(logger, news.Count, unread.Count + shortOfAccess.Count, string.Join("; ", notification.Failures.Select(failure => failure.Reason)));
        }

        // What has cleared is forgotten even when its report reached no channel: that report only informs.
        foreach (var (cluster, keys) in forget.Concat(retired).Where(entry => entry.Value.Count > 0))
        {
            await reported.RemoveAsync(cluster, keys, cancellationToken);
        }

        return new DriftWatchOutcome(report, news, unread, cleared, notification) { ShortOfAccess = shortOfAccess };
    }

    /// <summary>What is new since the last report (to report, then remember) and what has cleared (to forget), by cluster.</summary>
    private static Changes Compare(DriftReport report, Dictionary<string, HashSet<string>> before)
    {
        var changes = new Changes([], [], [], new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        foreach (var cluster in report.Clusters)
        {
            var known = before.GetValueOrDefault(cluster.Cluster) ?? [];
            if (cluster.Error is not null)
            {
                // What it showed before stays reported: an unread cluster shows nothing cleared.
                if (!known.Contains(ReportedDrift.UnreadableKey))
                {
                    changes.Unread.Add(cluster);
                    changes.Remember[cluster.Cluster] = [ReportedDrift.UnreadableKey];
                }

                continue;
            }

            var found = report.Findings.Where(finding => finding.Cluster == cluster.Cluster).Select(finding => (Finding: finding, Key: ReportedDrift.KeyOf(finding))).ToList();
            var fresh = found.Where(item => !known.Contains(item.Key)).ToList();
            changes.News.AddRange(fresh.Select(item => item.Finding));
            changes.Remember[cluster.Cluster] = [.. fresh.Select(item => item.Key).Distinct(StringComparer.Ordinal)];
            var standing = found.Select(item => item.Key).ToList();
            if (cluster.ShortOfAccess)
            {
                var accessKey = ReportedDrift.AccessKeyOf(cluster);
                standing.Add(accessKey);
                if (!known.Contains(accessKey))
                {
                    changes.ShortOfAccess.Add(cluster);
                    changes.Remember[cluster.Cluster].Add(accessKey);
                }

                // Short of something else now: what was missing before is replaced, not granted.
                var replaced = known.Where(key => ReportedDrift.IsAccessKey(key) && key != accessKey).ToList();
                standing.AddRange(replaced);
                changes.Retired[cluster.Cluster] = replaced;
            }
            else if (cluster.MissingPermissions is null)
            {
                // A review the cluster did not answer shows nothing granted.
                standing.AddRange(known.Where(ReportedDrift.IsAccessKey));
            }

            changes.Forget[cluster.Cluster] = [.. known.Except(standing, StringComparer.Ordinal)];
        }

        // A cluster no longer configured is not checked: what was reported of it is forgotten, not called cleared.
        foreach (var (cluster, keys) in before.Where(entry => !report.Clusters.Any(checkedOne => checkedOne.Cluster == entry.Key)))
        {
            changes.Retired[cluster] = [.. keys];
        }

        return changes;
    }

    private sealed record Changes(
        List<DriftFinding> News,
        List<ClusterChecked> Unread,
        List<ClusterChecked> ShortOfAccess,
        Dictionary<string, List<string>> Remember,
        Dictionary<string, List<string>> Forget,
        Dictionary<string, List<string>> Retired);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift: {Kind} on {Cluster}/{Namespace}/{Pod}: {Detail}")]
    private static partial void LogDisagreement(ILogger logger, DriftKind kind, string cluster, string @namespace, string pod, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift: cluster {Cluster} could not be checked: {Error}")]
    private static partial void LogClusterUnread(ILogger logger, string cluster, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift: Containment may not do all it needs on cluster {Cluster}: it may not {Missing}")]
    private static partial void LogShortOfAccess(ILogger logger, string cluster, string missing);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drift report of {Findings} disagreements and {UncheckedClusters} unread clusters reached no channel; the next round sends it again: {Failures}")]
    private static partial void LogReportUnsent(ILogger logger, int findings, int uncheckedClusters, string failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift: {Cleared} disagreements reported before have cleared")]
    private static partial void LogCleared(ILogger logger, int cleared);
}
