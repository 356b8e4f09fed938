using Containment.Runs.Machine;

namespace Containment.Runs;

/// <summary>
/// What admission asks of a pod's run on a redelivery or when another alert arrives: its playbook, when it
/// started, and when it ended (null while unfinished).
/// </summary>
public sealed record RunProgress(string Playbook, DateTimeOffset StartedAt, DateTimeOffset? EndedAt = null)
{
    public static RunProgress Of(RunState state) => new(state.Playbook, state.StartedAt, state.Phase == RunPhase.Finished ? state.UpdatedAt : null);

    public static RunProgress Of(RunStatusDocument status) => new(status.Playbook, status.StartedAt, status.Phase == RunPhase.Finished ? status.UpdatedAt : null);
}
