using Containment.Alerts;

namespace Containment.Approvals;

/// <summary>What the approval page shows for a pending request.</summary>
public sealed record ApprovalRequestView
{
    public required Alert Alert { get; init; }

    /// <summary>The approval step's message.</summary>
    public required string Message { get; init; }

    /// <summary>What approving will do, in a sentence ("Release pod payments/api-7d9 from isolation").</summary>
    public required string OnApprove { get; init; }

    /// <summary>What rejecting will do, when the playbook says.</summary>
    public string? OnReject { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The signed-in identity, if any; without one the form asks for a name (recorded as unverified).</summary>
    public string? SignedInIdentity { get; init; }

    /// <summary>The result of <see cref="ApproverRule.Check"/> for this visitor; the form is shown only when allowed.</summary>
    public ApproverVerdict Verdict { get; init; } = ApproverVerdict.Allowed;
}
