namespace Containment.Isolation.Drift;

/// <summary>A disagreement reported before that the check no longer finds, or a cluster readable again (<paramref name="Kind"/> null).</summary>
public sealed record DriftCleared(string Cluster, DriftKind? Kind = null, string? Namespace = null, string? Pod = null);
