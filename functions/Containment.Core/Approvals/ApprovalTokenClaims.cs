namespace Containment.Approvals;

/// <summary>What an approval link is bound to: one wait round of one approval step of one run, until an expiry.</summary>
public sealed record ApprovalTokenClaims(string InstanceId, string StepId, int Round, DateTimeOffset ExpiresAt, string Nonce);
