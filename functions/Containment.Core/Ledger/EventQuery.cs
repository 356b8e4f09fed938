using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>
/// One page of security events, newest first by arrival: at most <see cref="Limit"/> of them, of <see cref="Status"/>
/// when set, those after <see cref="After"/> when set.
/// </summary>
public sealed record EventQuery(EventStatus? Status = null, int Limit = Page.DefaultLimit, PageCursor? After = null);
