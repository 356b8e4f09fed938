namespace Containment.Runs.Machine;

/// <summary>How a run ended.</summary>
public sealed record RunOutcome(RunResult Result, string? Reason = null);

public enum RunResult
{
    Succeeded,
    Failed,
    Terminated,
}
