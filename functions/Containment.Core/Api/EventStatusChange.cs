using Containment.Alerts;

namespace Containment.Api;

/// <summary>The body of <c>POST /api/events/{id}/status</c>.</summary>
/// <remarks>Properties rather than constructor parameters, so that a value of the wrong type is reported with the type its field expects.</remarks>
public sealed record EventStatusChange
{
    public required EventStatus Status { get; init; }

    public string? Reason { get; init; }
}
