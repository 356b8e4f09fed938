namespace Containment.Isolation;

public enum IsolationStatus
{
    /// <summary>This call relabelled the pod or wrote a policy.</summary>
    Isolated,

    /// <summary>Everything was already in place; nothing was written.</summary>
    AlreadyIsolated,

    /// <summary>Preflight refused; see <see cref="IsolationOutcome.Refusal"/>.</summary>
    Refused,
}
