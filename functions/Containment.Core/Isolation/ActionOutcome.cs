namespace Containment.Isolation;

/// <summary>
/// Result of a simple Kubernetes action (deletePod, cordonNode, uncordonNode). <see cref="Refusal"/> is set when
/// a check refused the action; nothing was written then.
/// </summary>
public sealed record ActionOutcome(string Action, bool Changed, string Message, string? Target = null, PreflightFailure? Refusal = null)
{
    public bool Refused => Refusal is not null;
}
