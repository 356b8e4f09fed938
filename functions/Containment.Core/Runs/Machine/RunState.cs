using System.Text.Json.Serialization;
using Containment.Alerts;
using Containment.Approvals;

namespace Containment.Runs.Machine;

/// <summary>
/// Where a run is. Everything the machine needs to go on is here, and it serialises to JSON and back
/// without loss, so a run can stop at any point and go on elsewhere.
/// </summary>
public sealed record RunState
{
    public required string InstanceId { get; init; }

    public required string Playbook { get; init; }

    public required Alert Alert { get; init; }

    public RunPhase Phase { get; init; } = RunPhase.Running;

    /// <summary>The step lists being walked, innermost last: a list key and the index of the current step in it.</summary>
    public IReadOnlyList<CursorFrame> Cursor { get; init; } = [];

    /// <summary>The activity calls of the current step still to report.</summary>
    public IReadOnlyList<PendingCall> Pending { get; init; } = [];

    /// <summary>The wait (timer, or event raced with a timer) the run is in, if any.</summary>
    public PendingWait? Wait { get; init; }

    /// <summary>Counts calls, waits and timers, to give each a unique, repeatable id.</summary>
    public int Sequence { get; init; }

    /// <summary>How many times each approval step has waited, for the per-wait event names.</summary>
    public IReadOnlyDictionary<string, int> Rounds { get; init; } = new Dictionary<string, int>();

    public ApprovalDecision? LastDecision { get; init; }

    /// <summary>Set once a step failed and the playbook's onFailure branch runs.</summary>
    public string? FailureReason { get; init; }

    public RunOutcome? Outcome { get; init; }

    public IReadOnlyList<StepRecord> History { get; init; } = [];

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The step the run is at; null once it is finished.</summary>
    [JsonIgnore]
    public string? CurrentStepId => Cursor.Count == 0 || History.Count == 0 ? null : History[^1].StepId;
}

public enum RunPhase
{
    Running,
    Waiting,
    Finished,
}

/// <summary>A position in one list of steps: <c>steps</c>, <c>onFailure</c>, or <c>&lt;stepId&gt;/onApproved</c> and the like.</summary>
public sealed record CursorFrame(string List, int Index);

/// <summary>
/// An activity call of the current step, and its result once reported. The call is kept whole so that a restarted driver
/// can make it again (the embedded runtime's row holds its request's alert and step once for all calls, see
/// <see cref="Embedded.RunStateJson"/>).
/// </summary>
public sealed record PendingCall(ActivityCall Call, bool Done = false, string? Failure = null, System.Text.Json.JsonElement? Output = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string CallId => Call.CallId;
}

/// <summary>A wait in progress: a timer alone (a wait step), or an approval event raced with its timeout.</summary>
public sealed record PendingWait(string StepId, string TimerId, DateTimeOffset Deadline, string? EventName = null);
