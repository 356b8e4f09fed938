using System.Text.Json;
using System.Text.Json.Serialization;
using Containment.Alerts;

namespace Containment.Runs.Machine;

/// <summary>Something that happened to a run. Each carries the time it is handled at: the machine reads no clock.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RunStarted), "started")]
[JsonDerivedType(typeof(ActivityCompleted), "activity-completed")]
[JsonDerivedType(typeof(ActivityFailed), "activity-failed")]
[JsonDerivedType(typeof(EventReceived), "event-received")]
[JsonDerivedType(typeof(TimerFired), "timer-fired")]
[JsonDerivedType(typeof(TerminateRequested), "terminate-requested")]
public abstract record RunInput(DateTimeOffset At);

/// <summary>The run begins for this alert.</summary>
public sealed record RunStarted(DateTimeOffset At, string InstanceId, Alert Alert) : RunInput(At);

/// <summary>An activity call finished; <paramref name="Output"/> is its result, if it has one.</summary>
public sealed record ActivityCompleted(DateTimeOffset At, string CallId, JsonElement? Output = null) : RunInput(At);

/// <summary>An activity call failed for good (the driver has already retried it as the step's retry policy says).</summary>
public sealed record ActivityFailed(DateTimeOffset At, string CallId, string Reason) : RunInput(At);

/// <summary>An external event arrived for the run, under the name the run waits on.</summary>
public sealed record EventReceived(DateTimeOffset At, string Name, JsonElement Payload) : RunInput(At);

/// <summary>A timer the run set has fired.</summary>
public sealed record TimerFired(DateTimeOffset At, string TimerId) : RunInput(At);

/// <summary>A person or the API ended the run.</summary>
/// <param name="OnlyPlaybook">When set, only a run of this playbook ends: one that another caller has since replaced is left alone.</param>
public sealed record TerminateRequested(DateTimeOffset At, string Reason, string? OnlyPlaybook = null) : RunInput(At);
