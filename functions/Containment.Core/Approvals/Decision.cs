namespace Containment.Approvals;

/// <summary>What a person decided on an approval page. A timeout is not a decision: the run's timer decides that.</summary>
public enum Decision
{
    Approved,
    Rejected,
}
