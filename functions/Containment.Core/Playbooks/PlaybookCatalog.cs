using Containment.Alerts;

namespace Containment.Playbooks;

/// <summary>The loaded, valid playbooks, and the choice of the one that takes an alert.</summary>
public sealed class PlaybookCatalog
{
    private readonly Dictionary<string, LoadedPlaybook> byName;

    public PlaybookCatalog(IEnumerable<LoadedPlaybook> playbooks)
    {
        Playbooks = playbooks.OrderByDescending(loaded => loaded.Playbook.Priority).ThenBy(loaded => loaded.Playbook.Name, StringComparer.Ordinal).ToList();
        byName = Playbooks.ToDictionary(loaded => loaded.Playbook.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Highest priority first.</summary>
    public IReadOnlyList<LoadedPlaybook> Playbooks { get; }

    public Playbook? Find(string name) => byName.TryGetValue(name, out var loaded) ? loaded.Playbook : null;

    /// <summary>
    /// Whether the choice for the alert depends on its pod's labels: an enabled playbook whose trigger asks for labels
    /// takes the alert on all else, ahead of every playbook that takes it whatever the labels.
    /// </summary>
    public bool AsksPodLabels(Alert alert) =>
        Playbooks.Select(loaded => loaded.Playbook)
            .FirstOrDefault(playbook => playbook.Enabled && TriggerMatcher.MatchesApartFromLabels(playbook.Trigger, alert)) is { } first
        && TriggerMatcher.AsksLabels(first.Trigger);

    /// <summary>The enabled playbook of highest priority whose trigger takes the alert, or null when none does.</summary>
    public Playbook? Select(Alert alert, IReadOnlyDictionary<string, string>? podLabels = null) =>
        Playbooks.Select(loaded => loaded.Playbook)
            .FirstOrDefault(playbook => playbook.Enabled && TriggerMatcher.Matches(playbook.Trigger, alert, podLabels));
}
