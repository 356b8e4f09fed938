using k8s;

namespace Containment.Clusters;

/// <summary>A Kubernetes client for one cluster and the facts read about it.</summary>
public sealed record ClusterConnection(IKubernetes Client, ClusterFacts Facts);
