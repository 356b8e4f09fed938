using Containment.Runs.Machine;

namespace Containment.Runs;

/// <summary>What admission asks of a run on every redelivery: its playbook, and when it ended (null while unfinished).</summary>
public sealed record RunProgress(string Playbook, DateTimeOffset? EndedAt = null)
{
    public static RunProgress Of(RunState state) => new(state.Playbook, state.Phase == RunPhase.Finished ? state.UpdatedAt : null);

    public static RunProgress Of(RunStatusDocument status) => new(status.Playbook, status.Phase == RunPhase.Finished ? status.UpdatedAt : null);
}
