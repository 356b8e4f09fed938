using Containment.Alerts;

namespace Containment.Approvals;

/// <summary>A pending or decided approval request, stored under the hash of its token (never the token itself).</summary>
public sealed record ApprovalRecord
{
    public required string TokenHash { get; init; }

    public required string InstanceId { get; init; }

    public required string StepId { get; init; }

    /// <summary>The run event the decision is raised as (<c>approval-&lt;step&gt;-&lt;round&gt;</c>).</summary>
    public required string EventName { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required Alert Alert { get; init; }

    public required string Message { get; init; }

    public IReadOnlyList<string> Approvers { get; init; } = [];

    public ApprovalDecision? Decision { get; init; }
}
