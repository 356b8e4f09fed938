namespace Containment.Playbooks;

/// <summary>
/// Asks a person to approve or reject, by links sent to channels, and waits until a decision or the
/// timeout. The matching branch runs, then the run goes on with the next step.
/// </summary>
public sealed record ApprovalStep : Step
{
    public const string TypeName = "approval";

    public required string Message { get; init; }

    /// <summary>Who may decide; empty means anyone holding the link.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    public required IReadOnlyList<string> Channels { get; init; }

    public required TimeSpan Timeout { get; init; }

    public IReadOnlyList<Step>? OnApproved { get; init; }

    public IReadOnlyList<Step>? OnRejected { get; init; }

    public IReadOnlyList<Step>? OnTimeout { get; init; }

    protected override IEnumerable<(string Field, IReadOnlyList<Step> Steps)> GetBranches()
    {
        if (OnApproved is not null)
        {
            yield return ("onApproved", OnApproved);
        }

        if (OnRejected is not null)
        {
            yield return ("onRejected", OnRejected);
        }

        if (OnTimeout is not null)
        {
            yield return ("onTimeout", OnTimeout);
        }
    }
}
