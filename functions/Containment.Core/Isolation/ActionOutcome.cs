namespace Containment.Isolation;

/// <summary>Result of a simple Kubernetes action (deletePod, cordonNode).</summary>
public sealed record ActionOutcome(string Action, bool Changed, string Message, string? Target = null);
