using Containment.Playbooks;
using Containment.Runs;

namespace Containment.Intake;

/// <summary>
/// Whether an alert takes its pod from the run that holds it instead of joining that run. A playbook run by hand
/// takes the pod from a run of any other playbook: a person decided. One chosen by its trigger takes it from a run
/// of a lower-priority playbook: a reverse shell found while a suspicious-activity run waits an hour for someone to
/// confirm isolating must not wait with it.
/// </summary>
public static class RunTakeover
{
    /// <param name="firstDelivery">
    /// False for a redelivery, which takes over only a run that began no later than its event was first stored (its
    /// first delivery stopped before taking over): a run begun since, a release by hand say, came after the alert.
    /// </param>
    public static bool TakesOver(Playbook chosen, bool byHand, RunProgress holding, PlaybookCatalog catalog, bool firstDelivery, DateTimeOffset eventStoredAt)
    {
        if (holding.Playbook == chosen.Name || (!firstDelivery && holding.StartedAt > eventStoredAt))
        {
            return false;
        }

        // A run of a playbook no longer loaded keeps the pod: its rank is unknown.
        return byHand || catalog.Find(holding.Playbook) is { } running && chosen.Priority > running.Priority;
    }
}
