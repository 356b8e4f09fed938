namespace Containment.Clusters;

/// <summary>A failed Kubernetes or ARM call: typed reason, readable message, HTTP status when there was one.</summary>
public sealed record KubernetesFailure(KubernetesFailureReason Reason, string Message, int? StatusCode = null);
