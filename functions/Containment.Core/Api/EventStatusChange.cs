using Containment.Alerts;

namespace Containment.Api;

/// <summary>The body of <c>POST /api/events/{id}/status</c>.</summary>
public sealed record EventStatusChange(EventStatus Status, string? Reason = null);
