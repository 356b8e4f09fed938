namespace Containment.Isolation.Drift;

/// <summary>
/// A disagreement reported before that the check no longer finds, or a cluster readable again (<paramref name="Kind"/>
/// null), or one where Containment may again do all it needs (<paramref name="AccessGranted"/>).
/// </summary>
public sealed record DriftCleared(string Cluster, DriftKind? Kind = null, string? Namespace = null, string? Pod = null, bool AccessGranted = false);
