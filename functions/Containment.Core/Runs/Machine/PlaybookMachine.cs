using System.Globalization;
using System.Text.Json;
using Containment.Activities;
using Containment.Approvals;
using Containment.Playbooks;

namespace Containment.Runs.Machine;

/// <summary>
/// A run as a pure state machine: given the playbook, where the run is and what just happened, it says
/// where the run is now and what the driver must do next. It does no I/O, reads no clock but the time
/// each input carries and uses no randomness, so Durable Functions can replay it and tests can drive it
/// step by step.
/// </summary>
public static class PlaybookMachine
{
    public const string MainList = "steps";
    public const string FailureList = "onFailure";

    private const string ApprovalEventPrefix = "approval-";

    public static (RunState State, RunCommand Command) Next(Playbook playbook, RunState? state, RunInput input)
    {
        if (input is RunStarted started)
        {
            return state is null
                ? Advance(playbook, NewRun(playbook, started), started.At)
                : (state, Repeat(state));
        }

        if (state is null)
        {
            throw new InvalidOperationException($"a run must start before it can take {input.GetType().Name}");
        }

        if (state.Phase == RunPhase.Finished)
        {
            return (state, Repeat(state));
        }

        // An input the run does not take leaves the state as it was (the same instance), so drivers write nothing.
        var updated = state with { UpdatedAt = input.At };
        return input switch
        {
            TerminateRequested terminate when terminate.OnlyPlaybook is null || string.Equals(terminate.OnlyPlaybook, state.Playbook, StringComparison.Ordinal) =>
                Finish(updated, new RunOutcome(RunResult.Terminated, terminate.Reason)),
            ActivityCompleted completed when IsPending(state, completed.CallId) => OnCallReported(playbook, updated, completed.CallId, failure: null, completed.Output, input.At),
            ActivityFailed failed when IsPending(state, failed.CallId) => OnCallReported(playbook, updated, failed.CallId, failed.Reason, output: null, input.At),
            EventReceived received when IsAwaited(state, received.Name) => OnDecision(playbook, state, received, input.At),
            TimerFired fired when state.Phase == RunPhase.Waiting && state.Wait?.TimerId == fired.TimerId => OnTimer(playbook, updated, input.At),
            _ => (state, RunCommand.None),
        };
    }

    /// <summary>The event name the run waits on now, if it waits on one.</summary>
    public static string? AwaitedEvent(RunState state) => state.Phase == RunPhase.Waiting ? state.Wait?.EventName : null;

    /// <summary>
    /// Whether the run is past the approval wait <paramref name="eventName"/> is for: the wait was begun and is no longer
    /// the run's (a decision or its timeout ended it), so the run will never take that event. An event for a wait not yet
    /// begun is not past.
    /// </summary>
    public static bool IsPastWait(RunState state, string eventName) =>
        TryReadApprovalEvent(eventName, out var stepId, out var round)
        && state.Rounds.TryGetValue(stepId, out var begun)
        && (begun > round || (begun == round && !string.Equals(state.Wait?.EventName, eventName, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The event an approval step's <paramref name="round"/>th wait is for: unique within a run.</summary>
    public static string ApprovalEvent(string stepId, int round) => ApprovalEventPrefix + stepId + "-" + round.ToString(CultureInfo.InvariantCulture);

    /// <summary>The step and round an approval wait's event names (<see cref="ApprovalEvent"/>); false for any other name.</summary>
    public static bool TryReadApprovalEvent(string eventName, out string stepId, out int round)
    {
        var separator = eventName.LastIndexOf('-');
        stepId = string.Empty;
        round = 0;
        if (!eventName.StartsWith(ApprovalEventPrefix, StringComparison.OrdinalIgnoreCase)
            || separator <= ApprovalEventPrefix.Length
            || !int.TryParse(eventName.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out round))
        {
            return false;
        }

        stepId = eventName[ApprovalEventPrefix.Length..separator];
        return true;
    }

    /// <summary>The command a run in this state is waiting to have carried out: what a driver resumes after a restart.</summary>
    public static RunCommand Repeat(RunState state) => state switch
    {
        { Phase: RunPhase.Finished, Outcome: { } outcome } => new FinishRun(outcome),
        { Phase: RunPhase.Waiting, Wait: { } wait } => new WaitFor(wait.Deadline, wait.TimerId, wait.EventName),
        { Pending: { Count: > 0 } pending } when pending.Any(call => !call.Done) =>
            new RunActivities(pending.Where(call => !call.Done).Select(call => call.Call).ToList()),
        _ => RunCommand.None,
    };

    /// <summary>
    /// Ends the run failed at once, for a reason of its driver's rather than a step's (its state cannot be stored): the
    /// onFailure branch is not run, as its steps would meet the same end. The step under way, if any, is failed by it.
    /// </summary>
    public static RunState EndFailed(RunState state, string reason, DateTimeOffset at)
    {
        var history = state.History;
        if (state.Cursor.Count > 0 && history.Count > 0 && history[^1].Outcome is StepOutcome.Running or StepOutcome.Waiting)
        {
            history = Replace(history, history[^1] with { Outcome = StepOutcome.Failed, EndedAt = at, Detail = reason });
        }

        return FinishFailed(state with { UpdatedAt = at, History = history }, reason).State;
    }

    /// <summary>The step the run's cursor is at: the step its pending calls are of.</summary>
    public static Step CurrentStep(Playbook playbook, RunState state)
    {
        var frame = state.Cursor[^1];
        return StepLists.Resolve(playbook, frame.List)[frame.Index];
    }

    private static bool IsPending(RunState state, string callId) => state.Pending.Any(call => call.CallId == callId && !call.Done);

    private static bool IsAwaited(RunState state, string name) =>
        string.Equals(AwaitedEvent(state), name, StringComparison.OrdinalIgnoreCase);

    private static RunState NewRun(Playbook playbook, RunStarted started) => new()
    {
        InstanceId = started.InstanceId,
        Playbook = playbook.Name,
        Alert = started.Alert,
        Cursor = [new CursorFrame(MainList, 0)],
        StartedAt = started.At,
        UpdatedAt = started.At,
    };

    private static (RunState, RunCommand) Advance(Playbook playbook, RunState state, DateTimeOffset at)
    {
        while (true)
        {
            if (state.Cursor.Count == 0)
            {
                return Finish(state, state.FailureReason is null
                    ? new RunOutcome(RunResult.Succeeded)
                    : new RunOutcome(RunResult.Failed, state.FailureReason));
            }

            var frame = state.Cursor[^1];
            var steps = StepLists.Resolve(playbook, frame.List);
            if (frame.Index >= steps.Count)
            {
                state = state with { Cursor = Pop(state.Cursor) };
                continue;
            }

            var step = steps[frame.Index];
            if (step.When is { } when && !when.Matches(state.Alert))
            {
                state = state with
                {
                    History = [.. state.History, new StepRecord { StepId = step.Id, Type = step.Type, Outcome = StepOutcome.Skipped, StartedAt = at, EndedAt = at, Detail = "its condition does not hold for this alert" }],
                    Cursor = Next(state.Cursor),
                };
                continue;
            }

            return Begin(state, step, at);
        }
    }

    private static (RunState, RunCommand) Begin(RunState state, Step step, DateTimeOffset at)
    {
        var record = new StepRecord { StepId = step.Id, Type = step.Type, Outcome = StepOutcome.Running, StartedAt = at };
        state = state with { History = [.. state.History, record] };
        switch (step)
        {
            case WaitStep wait:
            {
                var timer = new PendingWait(step.Id, $"wait-{step.Id}-{state.Sequence}", at + wait.Duration);
                state = state with { Sequence = state.Sequence + 1, Wait = timer, Phase = RunPhase.Waiting, History = Replace(state.History, record with { Outcome = StepOutcome.Waiting }) };
                return (state, new WaitFor(timer.Deadline, timer.TimerId));
            }

            case ApprovalStep approval:
            {
                var round = state.Rounds.GetValueOrDefault(step.Id) + 1;
                var wait = new PendingWait(step.Id, $"approval-timeout-{step.Id}-{round}", at + approval.Timeout, ApprovalEvent(step.Id, round));
                state = state with { Rounds = new Dictionary<string, int>(state.Rounds) { [step.Id] = round }, Wait = wait };
                return Call(state, step, [Request(state, step) with { EventName = wait.EventName, Deadline = wait.Deadline }]);
            }

            case NotifyStep notify:
            {
                var request = Request(state, step);
                return Call(state, step, notify.Channels.Select(channel => request with { Channel = channel }).ToList());
            }

            default:
                return Call(state, step, [Request(state, step)]);
        }
    }

    private static (RunState, RunCommand) Call(RunState state, Step step, IReadOnlyList<ActivityRequest> requests)
    {
        var calls = requests.Select((request, index) =>
        {
            var callId = $"{state.InstanceId}:{step.Id}:{state.Sequence + index}";
            return new ActivityCall(callId, ActivityFor(step), request with { CallId = callId }, step.Retry);
        }).ToList();
        state = state with
        {
            Sequence = state.Sequence + calls.Count,
            Pending = calls.Select(call => new PendingCall(call)).ToList(),
            Phase = RunPhase.Running,
        };
        return (state, new RunActivities(calls));
    }

    private static ActivityRequest Request(RunState state, Step step) => new()
    {
        InstanceId = state.InstanceId,
        CallId = string.Empty,
        Playbook = state.Playbook,
        RunStartedAt = state.StartedAt,
        Step = step,
        StoresRunEvent = state.History.SkipLast(1).All(record => record.Type == WaitStep.TypeName || record.Outcome == StepOutcome.Skipped),
        Alert = state.Alert,
        LastDecision = state.LastDecision,
        FailureReason = state.FailureReason,
        IsolationWarnings = step is NotifyStep or ApprovalStep ? HeldIsolation.WarningsOf(state.History) : [],
        PodOwnership = step is NotifyStep ? HeldIsolation.OwnershipOf(state.History) : null,
    };

    private static string ActivityFor(Step step) => step switch
    {
        IsolateStep => ActivityNames.IsolatePod,
        ReleaseStep => ActivityNames.ReleasePod,
        ApprovalStep => ActivityNames.RequestApproval,
        NotifyStep => ActivityNames.Notify,
        SetEventStatusStep => ActivityNames.SetEventStatus,
        DeletePodStep => ActivityNames.DeletePod,
        CordonNodeStep => ActivityNames.CordonNode,
        UncordonNodeStep => ActivityNames.UncordonNode,
        _ => throw new InvalidOperationException($"step type '{step.Type}' has no activity"),
    };

    private static (RunState, RunCommand) OnCallReported(Playbook playbook, RunState state, string callId, string? failure, JsonElement? output, DateTimeOffset at)
    {
        var pending = state.Pending.ToList();
        var index = pending.FindIndex(call => call.CallId == callId && !call.Done);
        pending[index] = pending[index] with { Done = true, Failure = failure, Output = output };
        state = state with { Pending = pending };
        if (pending.Any(call => !call.Done))
        {
            return (state, RunCommand.None);
        }

        var step = CurrentStep(playbook, state);
        var record = CurrentRecord(state, step);
        var outputs = pending.Where(call => call.Output is not null).Select(call => call.Output!.Value).ToList();
        var failures = pending.Where(call => call.Failure is not null).Select(call => call.Failure!).ToList();
        state = state with { Pending = [] };

        if (failures.Count == 0 && step is ApprovalStep && state.Wait is { } wait)
        {
            state = state with { Phase = RunPhase.Waiting, History = Replace(state.History, record with { Outcome = StepOutcome.Waiting, Outputs = outputs }) };
            return (state, new WaitFor(wait.Deadline, wait.TimerId, wait.EventName));
        }

        if (failures.Count == 0)
        {
            state = state with { History = Replace(state.History, record with { Outcome = StepOutcome.Succeeded, EndedAt = at, Outputs = outputs }) };
            return Advance(playbook, state with { Cursor = Next(state.Cursor), Wait = null }, at);
        }

        var reason = $"step '{step.Id}' ({step.Type}) failed: {string.Join("; ", failures)}";
        if (step.ContinueOnError)
        {
            state = state with { History = Replace(state.History, record with { Outcome = StepOutcome.FailedContinued, EndedAt = at, Detail = reason, Outputs = outputs }) };
            return Advance(playbook, state with { Cursor = Next(state.Cursor), Wait = null }, at);
        }

        state = state with { History = Replace(state.History, record with { Outcome = StepOutcome.Failed, EndedAt = at, Detail = reason, Outputs = outputs }), Wait = null };
        return Fail(playbook, state, reason, at);
    }

    private static (RunState, RunCommand) Fail(Playbook playbook, RunState state, string reason, DateTimeOffset at)
    {
        if (state.FailureReason is null && playbook.OnFailure is { Count: > 0 })
        {
            return Advance(playbook, state with { FailureReason = reason, Cursor = [new CursorFrame(FailureList, 0)] }, at);
        }

        return FinishFailed(state, reason);
    }

    /// <summary>Ends the run failed, its reason after any failure the run was already handling.</summary>
    private static (RunState State, RunCommand Command) FinishFailed(RunState state, string reason)
    {
        var whole = state.FailureReason is null ? reason : $"{state.FailureReason}; then {reason}";
        return Finish(state with { FailureReason = whole }, new RunOutcome(RunResult.Failed, whole));
    }

    /// <param name="state">The state as it was: an event that carries no decision leaves it so, the same instance.</param>
    private static (RunState, RunCommand) OnDecision(Playbook playbook, RunState state, EventReceived received, DateTimeOffset at)
    {
        ApprovalDecision? decision;
        try
        {
            decision = received.Payload.Deserialize<ApprovalDecision>(ContainmentJson.Options);
        }
        catch (JsonException)
        {
            decision = null;
        }

        if (decision is null)
        {
            // Not a decision: keep waiting for one. The API checks decisions before raising them.
            return (state, Repeat(state));
        }

        var approval = (ApprovalStep)CurrentStep(playbook, state);
        var approved = decision.Verdict == ApprovalVerdict.Approved;
        var record = CurrentRecord(state, approval) with
        {
            Outcome = approved ? StepOutcome.Approved : StepOutcome.Rejected,
            EndedAt = at,
            Detail = $"{(approved ? "approved" : "rejected")} by {decision.By}{(string.IsNullOrWhiteSpace(decision.Comment) ? string.Empty : ": " + decision.Comment)}",
        };
        state = state with { UpdatedAt = at, LastDecision = decision, History = Replace(state.History, record), Wait = null, Phase = RunPhase.Running };
        return EnterBranch(playbook, state, approval, approved ? "onApproved" : "onRejected", approved ? approval.OnApproved : approval.OnRejected, at);
    }

    private static (RunState, RunCommand) OnTimer(Playbook playbook, RunState state, DateTimeOffset at)
    {
        var step = CurrentStep(playbook, state);
        var record = CurrentRecord(state, step);
        state = state with { Wait = null, Phase = RunPhase.Running };
        if (step is ApprovalStep approval)
        {
            state = state with { History = Replace(state.History, record with { Outcome = StepOutcome.TimedOut, EndedAt = at, Detail = $"no decision within {Iso8601DurationConverter.Format(approval.Timeout)}" }) };
            return EnterBranch(playbook, state, approval, "onTimeout", approval.OnTimeout, at);
        }

        state = state with { History = Replace(state.History, record with { Outcome = StepOutcome.Succeeded, EndedAt = at }) };
        return Advance(playbook, state with { Cursor = Next(state.Cursor) }, at);
    }

    private static (RunState, RunCommand) EnterBranch(Playbook playbook, RunState state, Step step, string field, IReadOnlyList<Step>? branch, DateTimeOffset at) =>
        branch is null
            ? Advance(playbook, state with { Cursor = Next(state.Cursor) }, at)
            : Advance(playbook, state with { Cursor = [.. state.Cursor, new CursorFrame(StepLists.BranchKey(step.Id, field), 0)] }, at);

    private static (RunState, RunCommand) Finish(RunState state, RunOutcome outcome) =>
        (state with { Phase = RunPhase.Finished, Outcome = outcome, Cursor = [], Pending = [], Wait = null }, new FinishRun(outcome));

    private static StepRecord CurrentRecord(RunState state, Step step) =>
        state.History.Last(record => record.StepId == step.Id);

    private static List<StepRecord> Replace(IReadOnlyList<StepRecord> history, StepRecord record)
    {
        var index = history.ToList().FindLastIndex(entry => entry.StepId == record.StepId);
        var copy = history.ToList();
        copy[index] = record;
        return copy;
    }

    /// <summary>The cursor moved past the current step.</summary>
    private static IReadOnlyList<CursorFrame> Next(IReadOnlyList<CursorFrame> cursor) =>
        [.. cursor.Take(cursor.Count - 1), cursor[^1] with { Index = cursor[^1].Index + 1 }];

    /// <summary>The innermost list is done: back to the step that holds it, and past that step.</summary>
    private static IReadOnlyList<CursorFrame> Pop(IReadOnlyList<CursorFrame> cursor) =>
        cursor.Count <= 1 ? [] : Next(cursor.Take(cursor.Count - 1).ToList());
}
