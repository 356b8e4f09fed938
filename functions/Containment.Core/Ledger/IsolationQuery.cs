namespace Containment.Ledger;

/// <summary>Filters for listing isolation records; null means any.</summary>
public sealed record IsolationQuery(IsolationStatus? Status = null, string? Cluster = null, string? Namespace = null);
