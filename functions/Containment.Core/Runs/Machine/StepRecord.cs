using System.Text.Json;

namespace Containment.Runs.Machine;

/// <summary>One step's entry in a run's history.</summary>
public sealed record StepRecord
{
    public required string StepId { get; init; }

    public required string Type { get; init; }

    public required StepOutcome Outcome { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Detail { get; init; }

    /// <summary>What the step's activities returned (the isolation outcome, say), by call.</summary>
    public IReadOnlyList<JsonElement>? Outputs { get; init; }
}

public enum StepOutcome
{
    Running,
    Waiting,
    Succeeded,
    Failed,

    /// <summary>Failed, and the step said to go on (<c>continueOnError</c>).</summary>
    FailedContinued,
    Skipped,
    Approved,
    Rejected,
    TimedOut,
}
