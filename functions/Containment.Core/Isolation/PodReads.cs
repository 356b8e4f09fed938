using Containment.Clusters;
using k8s;
using k8s.Models;

namespace Containment.Isolation;

/// <summary>The pod read the isolation actions share.</summary>
internal static class PodReads
{
    /// <summary>The pod as the API server has it; null when it does not exist.</summary>
    public static Task<V1Pod?> ReadPodOrDefaultAsync(this KubernetesCallPipeline calls, IKubernetes client, string ns, string name, CancellationToken cancellationToken) =>
        calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "pods", ns, name),
            ct => client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: ct), cancellationToken);
}
