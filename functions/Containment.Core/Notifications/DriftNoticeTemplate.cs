using Containment.Isolation.Drift;

namespace Containment.Notifications;

/// <summary>The wording of the drift watch's message; channels lay it out as they lay out a playbook's.</summary>
public static class DriftNoticeTemplate
{
    /// <summary>A chat card or an email stays readable: past this many disagreements, the message says how many more there are.</summary>
    public const int MaxFacts = 20;

    public static NotificationMessage Render(DriftNotice notice)
    {
        var cleared = notice.Cleared.Count == 0 ? string.Empty : $" {Disagreements(notice.Cleared.Count)} reported before {(notice.Cleared.Count == 1 ? "has" : "have")} cleared.";
        var (title, summary) = (notice.Findings.Count, notice.UncheckedClusters.Count, notice.ShortOfAccess.Count) switch
        {
            (> 0, _, _) => ($"Drift: {PodsDisagree(notice.Findings.Select(finding => (finding.Cluster, finding.Namespace, finding.Pod)).Distinct().Count())} with the isolation ledger",
                $"{Disagreements(notice.Findings.Count)} between the clusters and the isolation ledger {(notice.Findings.Count == 1 ? "is" : "are")} new since the last check ({notice.Standing} in all). "
                + "Each needs a person: a pod cut off that the ledger does not explain, or one the ledger calls isolated that has its network. "
                + "`containment isolations drift` lists them; `containment isolations release ID` gives back a pod cut off that the ledger does not explain, "
                + "`containment isolations isolate` cuts off again one the ledger calls isolated."),
            (_, > 0, _) => ($"Drift check could not read {Clusters(notice.UncheckedClusters)}",
                $"The drift check could not read {Clusters(notice.UncheckedClusters)}: the isolations there cannot be verified, and isolating or releasing a pod there fails too."),
            (_, _, > 0) => ($"Containment may not do all it needs on {Clusters(notice.ShortOfAccess)}", ShortOfAccess(notice.ShortOfAccess)),
            _ => ($"Drift cleared: {Disagreements(notice.Cleared.Count)} reported before {(notice.Cleared.Count == 1 ? "is" : "are")} gone",
                $"The clusters and the isolation ledger agree again where the drift watch reported otherwise ({notice.Standing} disagreements still stand)."),
        };

        if (notice.Findings.Count > 0 && notice.UncheckedClusters.Count > 0)
        {
            summary += $" It could not read {Clusters(notice.UncheckedClusters)} either.";
        }

        if ((notice.Findings.Count > 0 || notice.UncheckedClusters.Count > 0) && notice.ShortOfAccess.Count > 0)
        {
            summary += $" {ShortOfAccess(notice.ShortOfAccess)}";
        }

        if (notice.Event == DriftNotice.FoundEvent)
        {
            summary += cleared;
        }

        return new NotificationMessage
        {
            Event = notice.Event,
            Title = title,
            Summary = summary,
            Facts = Facts(notice),
            Urgent = notice.Event == DriftNotice.FoundEvent,
        };
    }

    private static List<NotificationFact> Facts(DriftNotice notice)
    {
        var facts = new List<NotificationFact>();
        foreach (var cluster in notice.UncheckedClusters)
        {
            facts.Add(new NotificationFact($"Cluster {cluster.Cluster}", $"not checked: {Short(cluster.Error)}"));
        }

        foreach (var cluster in notice.ShortOfAccess)
        {
            facts.Add(new NotificationFact($"Cluster {cluster.Cluster}", $"Containment may not: {cluster.MissingText()}"));
        }

        foreach (var finding in notice.Findings.Take(MaxFacts))
        {
            facts.Add(new NotificationFact($"{finding.Cluster}/{finding.Namespace}/{finding.Pod}", $"{KebabCaseEnumConverter.ToWireName(finding.Kind)}: {finding.Detail}"));
        }

        foreach (var gone in notice.Cleared.Take(Math.Max(0, MaxFacts - notice.Findings.Count)))
        {
            facts.Add(gone.Kind is { } kind
                ? new NotificationFact($"{gone.Cluster}/{gone.Namespace}/{gone.Pod}", $"{KebabCaseEnumConverter.ToWireName(kind)}: cleared")
                : new NotificationFact($"Cluster {gone.Cluster}", gone.AccessGranted ? "Containment may do all it needs again" : "read again"));
        }

        var more = notice.Findings.Count + notice.Cleared.Count - MaxFacts;
        if (more > 0)
        {
            facts.Add(new NotificationFact("More", $"{more} more"));
        }

        facts.Add(new NotificationFact("Checked", ReadableTime.Of(notice.CheckedAt)));
        return facts;
    }

    private static string ShortOfAccess(IReadOnlyList<ClusterChecked> clusters) =>
        $"Containment's identity may not do all it needs on {Clusters(clusters)}: the steps and checks that need what is missing fail there with 403 (forbidden). "
        + "Grant it the role `containment rbac` prints.";

    private static string PodsDisagree(int count) => count == 1 ? "1 pod disagrees" : $"{count} pods disagree";

    // An exception's message can run long (a whole TLS chain); a fact stays a line or two.
    private static string Short(string? text) => text is null ? "unknown" : TextCut.WithEllipsis(text, 300);

    private static string Disagreements(int count) => count == 1 ? "1 disagreement" : $"{count} disagreements";

    private static string Clusters(IReadOnlyList<ClusterChecked> clusters) =>
        (clusters.Count == 1 ? "cluster " : "clusters ") + string.Join(", ", clusters.Select(cluster => cluster.Cluster));
}
