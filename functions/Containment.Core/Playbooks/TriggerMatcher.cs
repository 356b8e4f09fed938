using Containment.Alerts;

namespace Containment.Playbooks;

/// <summary>Whether a trigger takes an alert, and whether two triggers can take the same alert.</summary>
public static class TriggerMatcher
{
    /// <param name="podLabels">The pod's labels when known; a trigger with <c>podLabels</c> takes no alert whose labels are unknown.</param>
    public static bool Matches(PlaybookTrigger trigger, Alert alert, IReadOnlyDictionary<string, string>? podLabels = null) =>
        MatchesApartFromLabels(trigger, alert)
        && (!AsksLabels(trigger) || (podLabels is not null
            && trigger.PodLabels!.All(label => podLabels.TryGetValue(label.Key, out var value) && value == label.Value)));

    /// <summary>Whether the trigger takes the alert on everything but the pod's labels.</summary>
    public static bool MatchesApartFromLabels(PlaybookTrigger trigger, Alert alert) =>
        !trigger.Manual
        && (trigger.Categories.Count == 0 || trigger.Categories.Contains(alert.Category))
        && alert.Severity >= trigger.MinSeverity
        && (trigger.Clusters?.Allows(alert.Target.Cluster, alert.Target.ClusterResourceId) ?? true)
        && (trigger.Namespaces?.Allows(alert.Target.Namespace) ?? true);

    /// <summary>Whether the trigger takes only pods that carry certain labels.</summary>
    public static bool AsksLabels(PlaybookTrigger trigger) => trigger.PodLabels is { Count: > 0 };

    /// <summary>
    /// False only when no alert can match both. Severity never separates two triggers (each takes
    /// everything from its minimum up), so categories, names and labels decide.
    /// </summary>
    public static bool Overlap(PlaybookTrigger first, PlaybookTrigger second)
    {
        if (first.Manual || second.Manual)
        {
            return false;
        }

        var categoriesMeet = first.Categories.Count == 0 || second.Categories.Count == 0
            || first.Categories.Intersect(second.Categories).Any();
        return categoriesMeet
            && FiltersMeet(first.Clusters, second.Clusters)
            && FiltersMeet(first.Namespaces, second.Namespaces)
            && LabelsMeet(first.PodLabels, second.PodLabels);
    }

    private static bool FiltersMeet(NameFilter? first, NameFilter? second)
    {
        if (first is null || second is null || (first.Include.Count == 0 && second.Include.Count == 0))
        {
            return true;
        }

        if (first.Include.Count > 0 && second.Include.Count > 0)
        {
            return first.Include.Any(name => second.Allows(name) && first.Allows(name));
        }

        var (included, other) = first.Include.Count > 0 ? (first, second) : (second, first);
        return included.Include.Any(name => other.Allows(name) && included.Allows(name));
    }

    private static bool LabelsMeet(IReadOnlyDictionary<string, string>? first, IReadOnlyDictionary<string, string>? second) =>
        first is null || second is null
        || first.All(label => !second.TryGetValue(label.Key, out var value) || value == label.Value);
}
