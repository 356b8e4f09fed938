namespace Containment.Ledger;

/// <summary>
/// One page of isolation records, the last changed first: at most <see cref="Limit"/> of them, those after
/// <see cref="After"/> when set. Filters are null for any.
/// </summary>
public sealed record IsolationQuery(
    IsolationStatus? Status = null,
    string? Cluster = null,
    string? Namespace = null,
    int Limit = Page.DefaultLimit,
    PageCursor? After = null);
