using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>
/// One page of security events, newest first: at most <see cref="Limit"/> of them, of <see cref="Status"/> when set,
/// those after <see cref="After"/> when set.
/// </summary>
public sealed record EventQuery(EventStatus? Status = null, int Limit = EventQuery.DefaultLimit, EventCursor? After = null)
{
    public const int DefaultLimit = 100;

    /// <summary>The most events a page holds: each carries its alert's payload as received, up to the body limit.</summary>
    public const int MaxLimit = 500;
}

/// <summary>A page of security events, newest first, and where the next page begins (null: this is the last).</summary>
public sealed record EventPage(IReadOnlyList<SecurityEventRecord> Events, EventCursor? Next = null);
