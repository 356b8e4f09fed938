namespace Containment.Api;

/// <summary>The body of <c>POST /api/isolations</c>: the pod to isolate by hand, and why.</summary>
public sealed record IsolationRequest(string Cluster, string Namespace, string Pod, string? Reason = null);

/// <summary>The body of <c>POST /api/isolations/{id}/release</c>.</summary>
public sealed record ReleaseRequest(string? Reason = null);
