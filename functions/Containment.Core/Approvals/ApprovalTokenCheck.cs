namespace Containment.Approvals;

/// <summary>The result of <see cref="ApprovalTokens.Verify"/>. Claims are given only when the signature holds (valid or expired).</summary>
public sealed record ApprovalTokenCheck(ApprovalTokenStatus Status, ApprovalTokenClaims? Claims = null)
{
    public bool IsValid => Status == ApprovalTokenStatus.Valid;

    public static ApprovalTokenCheck Malformed { get; } = new(ApprovalTokenStatus.Malformed);

    public static ApprovalTokenCheck BadSignature { get; } = new(ApprovalTokenStatus.BadSignature);
}
