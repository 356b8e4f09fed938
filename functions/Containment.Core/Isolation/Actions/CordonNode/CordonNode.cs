using Containment.Clusters;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Containment.Isolation.Actions.CordonNode;

/// <summary>
/// Marks the node of a pod unschedulable (playbook step <c>cordonNode</c>), as <c>kubectl cordon</c>
/// does; idempotent: an already cordoned node is not written.
/// </summary>
public sealed class CordonNode(ClusterRegistry clusters, KubernetesCallPipeline calls, ILogger<CordonNode> logger) : IContainmentAction
{
    public string Name => "cordonNode";

    public IReadOnlyList<ActionParameter> Parameters { get; } =
    [
        new(nameof(PodReference.Cluster), "cluster alias or AKS resource id"),
        new(nameof(PodReference.Namespace), "the pod's namespace"),
        new(nameof(PodReference.Pod), "the pod whose node is cordoned"),
    ];

    public IReadOnlyList<string> Checks { get; } = ["the pod exists and is scheduled on a node", "the node exists"];

    public IReadOnlyList<KubernetesPermission> Permissions { get; } =
    [
        new("", "pods", ["get"]),
        new("", "nodes", ["get", "patch"]),
    ];

    public async Task<ActionOutcome> CordonAsync(PodReference target, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var client = connection.Client;
        var pod = await calls.ExecuteAsync(new KubernetesOperation("get", "pods", target.Namespace, target.Pod),
            ct => client.CoreV1.ReadNamespacedPodAsync(target.Pod, target.Namespace, cancellationToken: ct), cancellationToken);
        var nodeName = pod.Spec?.NodeName;
        if (string.IsNullOrEmpty(nodeName))
        {
            return new ActionOutcome(Name, false, $"pod {target.Namespace}/{target.Pod} is not scheduled on a node; nothing to cordon");
        }

        var node = await calls.ExecuteAsync(new KubernetesOperation("get", "nodes", Name: nodeName),
            ct => client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: ct), cancellationToken);
        if (node.Spec?.Unschedulable == true)
        {
            return new ActionOutcome(Name, false, $"node {nodeName} was already cordoned", nodeName);
        }

        await calls.ExecuteAsync(new KubernetesOperation("patch", "nodes", Name: nodeName),
            ct => client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.StrategicMergePatch), nodeName, cancellationToken: ct),
            cancellationToken);
        logger.LogInformation("Cordoned node {Node} of pod {Namespace}/{Pod} in {Cluster}", nodeName, target.Namespace, target.Pod, connection.Facts.Alias);
        return new ActionOutcome(Name, true, $"node {nodeName} cordoned", nodeName);
    }
}
