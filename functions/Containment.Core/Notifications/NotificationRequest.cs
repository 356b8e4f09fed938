using Containment.Alerts;
using Containment.Isolation;
using Containment.Playbooks;

namespace Containment.Notifications;

/// <summary>One message to send: which template, about which alert, to which named channels.</summary>
public sealed record NotificationRequest
{
    public required NotificationTemplate Template { get; init; }

    public required Alert Alert { get; init; }

    /// <summary>Channel names as configured under <c>Containment:Notifications:Channels</c>.</summary>
    public required IReadOnlyList<string> Channels { get; init; }

    /// <summary>The run (orchestration instance) this message belongs to.</summary>
    public string? RunId { get; init; }

    /// <summary>Extra text from the playbook step or the activity (a failure reason, who released, ...).</summary>
    public string? Message { get; init; }

    /// <summary>What the pod's isolation could not guarantee (connections established before it kept, say).</summary>
    public IReadOnlyList<string> IsolationWarnings { get; init; } = [];

    /// <summary>Who owned the pod when it was isolated: what the isolated and released messages say of its workload.</summary>
    public PodOwnership? PodOwnership { get; init; }

    /// <summary>The approval page, for approval requests; opening it decides nothing.</summary>
    public Uri? ApproveUrl { get; init; }

    public Uri? RejectUrl { get; init; }

    /// <summary>Where a reader can see the run or the isolation record.</summary>
    public Uri? DetailsUrl { get; init; }
}
