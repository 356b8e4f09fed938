using System.Text.Json.Serialization;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Isolation;
using Containment.Playbooks;

namespace Containment.Activities;

/// <summary>Everything an activity needs for one call. <see cref="CallId"/> is stable across retries and crashes: the idempotency key.</summary>
public sealed record ActivityRequest
{
    public required string InstanceId { get; init; }

    public required string CallId { get; init; }

    public required string Playbook { get; init; }

    /// <summary>When the run started: a pod's runs share <see cref="InstanceId"/>, and this tells them apart. Null in calls stored before it was kept.</summary>
    public DateTimeOffset? RunStartedAt { get; init; }

    public required Step Step { get; init; }

    /// <summary>
    /// A call of the run's first step that makes calls: it stores the run's security event where the delivery that
    /// started the run did not (<see cref="RunEventStoring"/>). False in calls stored before it was kept.
    /// </summary>
    public bool StoresRunEvent { get; init; }

    public required Alert Alert { get; init; }

    /// <summary>For a notify step: the one channel this call sends to.</summary>
    public string? Channel { get; init; }

    /// <summary>For an approval request: the event the decision will be raised as, and until when it is awaited.</summary>
    public string? EventName { get; init; }

    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The run's latest approval decision, for messages that say who decided.</summary>
    public ApprovalDecision? LastDecision { get; init; }

    /// <summary>Why the run is failing, for the messages of an onFailure branch.</summary>
    public string? FailureReason { get; init; }

    /// <summary>
    /// For a message (notify, approval request): what the isolation the run holds could not guarantee, so that a person
    /// told the pod is isolated also learns what may still be open. Empty in calls stored before it was kept.
    /// </summary>
    public IReadOnlyList<string> IsolationWarnings { get; init; } = [];

    /// <summary>
    /// For a notify step: who owned the pod when the run isolated it, so that a message can say what becomes of the
    /// workload (a replacement, a replica short, nothing in its place). Null when no isolation of the run said.
    /// </summary>
    public PodOwnership? PodOwnership { get; init; }

    /// <summary>1 on the first try; the driver counts retries.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>How many tries the step's retry policy allows; 1 without one.</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>Whether a retryable failure of this try is still tried again (and so is not yet the step's failure).</summary>
    [JsonIgnore]
    public bool WillRetry => Attempt < MaxAttempts;
}
