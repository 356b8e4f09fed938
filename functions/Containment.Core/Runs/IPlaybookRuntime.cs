using System.Text.Json;
using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.Runs;

/// <summary>
/// What the API sees of durable runs, whichever runtime drives them (Durable Functions in Azure, the
/// embedded runtime on one machine).
/// </summary>
public interface IPlaybookRuntime
{
    /// <summary>Starts the run, or joins the unfinished run that already has this instance id. Returns once the start is durable.</summary>
    Task<RunStartResult> StartAsync(string instanceId, Playbook playbook, Alert alert, CancellationToken cancellationToken);

    /// <summary>
    /// Starts the run only if no run with this id was ever stored (a pod never handled before), so it may run
    /// while the alert's security event is being stored; null when such a run exists or the runtime cannot tell
    /// cheaply, and then nothing has changed. Returns once the start is durable.
    /// </summary>
    ValueTask<RunStartResult?> StartNewAsync(string instanceId, Playbook playbook, Alert alert, CancellationToken cancellationToken) =>
        ValueTask.FromResult<RunStartResult?>(null);

    /// <summary>Delivers an external event; it is kept until the run waits for it.</summary>
    Task<RaiseEventResult> RaiseEventAsync(string instanceId, string eventName, JsonElement payload, CancellationToken cancellationToken);

    Task<RunStatusDocument?> GetStatusAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// The run's playbook, when it started, and when it ended if it has; null when there is no such run. Asked on
    /// every redelivery of an alert, so a runtime answers from memory where it can and reads storage only otherwise.
    /// </summary>
    ValueTask<RunProgress?> GetProgressAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// The run's progress as this process holds it in memory, without reading storage; null when it holds none.
    /// Asked for every alert whose pod already has a run, so it must cost nothing: a runtime without such memory
    /// (Durable Functions) answers null.
    /// </summary>
    RunProgress? KnownProgress(string instanceId) => null;

    /// <summary>Ends an unfinished run. False when there is no such run or it has already finished.</summary>
    Task<bool> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the unfinished run only while it runs <paramref name="playbook"/>: a run another caller has put in its
    /// place meanwhile is left alone. False when the run it found was not an unfinished run of that playbook.
    /// </summary>
    Task<bool> TerminateIfRunningAsync(string instanceId, string playbook, string reason, CancellationToken cancellationToken);
}

public enum RunStartOutcome
{
    Started,
    Joined,
}

/// <summary>Whether the run was started or joined, and the playbook the run with that id executes.</summary>
public sealed record RunStartResult(RunStartOutcome Outcome, string InstanceId, string Playbook);

public enum RaiseEventResult
{
    Accepted,
    NoSuchRun,
    RunFinished,

    /// <summary>The run is past the wait the event is for (it took a decision, maybe this one, or the wait timed out): nothing is kept.</summary>
    PastWait,
}
