namespace Containment.Isolation;

/// <summary>A pod in a cluster (alias or AKS resource id).</summary>
public sealed record PodReference(string Cluster, string Namespace, string Pod);
