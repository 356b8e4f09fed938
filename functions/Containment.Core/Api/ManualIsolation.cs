namespace Containment.Api;

/// <summary>The body of <c>POST /api/isolations</c>: the pod to isolate by hand, and why.</summary>
/// <remarks>Properties rather than constructor parameters, so that a value of the wrong type is reported with the type its field expects.</remarks>
public sealed record IsolationRequest
{
    public required string Cluster { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public string? Reason { get; init; }
}

/// <summary>The body of <c>POST /api/isolations/{id}/release</c>.</summary>
public sealed record ReleaseRequest
{
    public string? Reason { get; init; }
}
