using Containment.Activities;
using Containment.Playbooks;

namespace Containment.Runs.Machine;

/// <summary>What the driver must do next. Each maps onto one Durable Functions call (or a race of two).</summary>
public abstract record RunCommand
{
    /// <summary>Nothing new: other results the driver is already waiting for must come in first.</summary>
    public static RunCommand None { get; } = new NoCommand();
}

/// <summary>Nothing to do until the outstanding activity calls report.</summary>
public sealed record NoCommand : RunCommand;

/// <summary>Call these activities, all at once; report each result as an input.</summary>
public sealed record RunActivities(IReadOnlyList<ActivityCall> Calls) : RunCommand;

/// <summary>
/// Wait until <see cref="Deadline"/> (then report <see cref="TimerId"/> fired), or, when
/// <see cref="EventName"/> is given, until that event arrives, whichever comes first. The loser is cancelled.
/// </summary>
public sealed record WaitFor(DateTimeOffset Deadline, string TimerId, string? EventName = null) : RunCommand;

/// <summary>The run is over.</summary>
public sealed record FinishRun(RunOutcome Outcome) : RunCommand;

/// <summary>One activity call: which activity, for which step, with the retry policy the driver applies.</summary>
public sealed record ActivityCall(string CallId, string ActivityName, ActivityRequest Request, StepRetryPolicy? Retry = null);
