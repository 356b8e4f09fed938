using Containment.Alerts;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Runs.Machine;

namespace Containment.Runs;

/// <summary>
/// What admission asks of a pod's run on a redelivery or when another alert arrives: its playbook, when it
/// started, when it ended (null while unfinished), since when it holds the pod isolated (null when its last
/// isolation did not succeed, or a release or a pod deletion has begun since), and the alert that started it:
/// the detector's id, and the security event's (the id with its source; null in a run status stored before
/// statuses carried it).
/// </summary>
public sealed record RunProgress(
    string Playbook, DateTimeOffset StartedAt, DateTimeOffset? EndedAt = null, DateTimeOffset? IsolatedAt = null, string? AlertId = null, string? EventId = null)
{
    public static RunProgress Of(RunState state) =>
        new(state.Playbook, state.StartedAt, state.Phase == RunPhase.Finished ? state.UpdatedAt : null, IsolatedSince(state.History), state.Alert.Id, SecurityEventLedger.IdOf(state.Alert));

    public static RunProgress Of(RunStatusDocument status) =>
        new(status.Playbook, status.StartedAt, status.Phase == RunPhase.Finished ? status.UpdatedAt : null, IsolatedSince(status.History), status.AlertId, status.EventId);

    /// <summary>
    /// Whether <paramref name="alert"/> is the alert that started the run, not one that joins it: delivered again, or by
    /// a delivery that did not learn it had started the run (its answer lost); the run's isolation marks it as its own.
    /// Two sources may use the same detector id, so the event's id decides; the detector's id alone only where the
    /// status is older than that.
    /// </summary>
    public bool IsStartedBy(Alert alert) =>
        EventId is { } eventId ? eventId == SecurityEventLedger.IdOf(alert) : AlertId == alert.Id;

    /// <summary>When the last step that changed the pod's network was an isolation that succeeded, when it ended.</summary>
    private static DateTimeOffset? IsolatedSince(IReadOnlyList<StepRecord> history) => HeldIsolation.Of(history)?.EndedAt;
}
