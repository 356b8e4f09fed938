namespace Containment.Approvals;

/// <summary>A person's decision on an approval request: the payload of the run's approval event.</summary>
public sealed record ApprovalDecision(ApprovalVerdict Verdict, string By, DateTimeOffset At, string? Comment = null);

public enum ApprovalVerdict
{
    Approved,
    Rejected,
}
