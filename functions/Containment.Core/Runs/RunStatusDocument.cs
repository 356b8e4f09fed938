using Containment.Ledger;
using Containment.Runs.Machine;

namespace Containment.Runs;

/// <summary>What <c>GET /api/runs/{id}</c> shows: the playbook, where the run is, what it did, and how it ended.</summary>
public sealed record RunStatusDocument
{
    public required string InstanceId { get; init; }

    public required string Playbook { get; init; }

    public required RunPhase Phase { get; init; }

    public string? CurrentStep { get; init; }

    /// <summary>A line for people: what the run is doing or waiting for.</summary>
    public required string CustomStatus { get; init; }

    public string? AwaitedEvent { get; init; }

    public DateTimeOffset? WaitDeadline { get; init; }

    public RunOutcome? Outcome { get; init; }

    public required IReadOnlyList<StepRecord> History { get; init; }

    public required string AlertId { get; init; }

    /// <summary>
    /// The security event of the alert that started the run (<c>GET /api/events/{id}</c>): the detector's id with its
    /// source, as two sources may use the same id. Null in a status stored before the run's status carried it.
    /// </summary>
    public string? EventId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public static RunStatusDocument From(RunState state) => new()
    {
        InstanceId = state.InstanceId,
        Playbook = state.Playbook,
        Phase = state.Phase,
        CurrentStep = state.CurrentStepId,
        CustomStatus = Describe(state),
        AwaitedEvent = PlaybookMachine.AwaitedEvent(state),
        WaitDeadline = state.Phase == RunPhase.Waiting ? state.Wait?.Deadline : null,
        Outcome = state.Outcome,
        History = state.History,
        AlertId = state.Alert.Id,
        EventId = SecurityEventLedger.IdOf(state.Alert),
        StartedAt = state.StartedAt,
        UpdatedAt = state.UpdatedAt,
    };

    private static string Describe(RunState state) => state switch
    {
        { Phase: RunPhase.Finished, Outcome: { } outcome } => outcome.Reason is null
            ? $"finished: {KebabCaseEnumConverter.ToWireName(outcome.Result)}"
            : $"finished: {KebabCaseEnumConverter.ToWireName(outcome.Result)} ({outcome.Reason})",
        { Phase: RunPhase.Waiting, Wait: { EventName: { } name } wait } => $"step {wait.StepId}: waiting for {name} until {wait.Deadline:u}",
        { Phase: RunPhase.Waiting, Wait: { } timer } => $"step {timer.StepId}: waiting until {timer.Deadline:u}",
        _ => $"step {state.CurrentStepId}: running",
    };
}
