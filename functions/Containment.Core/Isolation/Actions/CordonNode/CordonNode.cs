using Containment.Clusters;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Containment.Isolation.Actions.CordonNode;

/// <summary>
/// Marks the node of a pod unschedulable (playbook step <c>cordonNode</c>), as <c>kubectl cordon</c> does, and records
/// on the node that it is held for the pod (<see cref="CordonHolds"/>), so an <c>uncordonNode</c> step can give the
/// node back without undoing a cordon that is not its own. A node someone else cordoned is left as it is.
/// </summary>
public sealed class CordonNode(ClusterRegistry clusters, KubernetesCallPipeline calls, ILogger<CordonNode> logger) : IContainmentAction
{
    public static string StepType => Playbooks.CordonNodeStep.TypeName;

    public static IReadOnlyList<string> Checks { get; } =
    [
        "the pod exists and is scheduled on a node",
        "the node exists",
        "a node cordoned by someone else is left as it is (Containment never makes it schedulable)",
        "the node's holds are written with its resourceVersion, so two runs cordoning it at once lose neither hold",
    ];

    /// <summary>What <see cref="CordonNode"/> does on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } =
    [
        new("", "pods", ["get"]),
        new("", "nodes", ["get", "patch"]),
    ];

    /// <param name="runStartedAt">The start of the run that cordons, when known: the node's hold for the pod names it, so an uncordon of an earlier run of the pod leaves the node cordoned.</param>
    public async Task<ActionOutcome> CordonAsync(PodReference target, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var client = connection.Client;
        var pod = await calls.ExecuteAsync(new KubernetesOperation("get", "pods", target.Namespace, target.Pod),
            ct => client.CoreV1.ReadNamespacedPodAsync(target.Pod, target.Namespace, cancellationToken: ct), cancellationToken);
        var nodeName = pod.Spec?.NodeName;
        if (string.IsNullOrEmpty(nodeName))
        {
            return new ActionOutcome(StepType, false, $"pod {target.Namespace}/{target.Pod} is not scheduled on a node; nothing to cordon");
        }

        var holder = CordonHolds.Holder(target);
        var stamp = RunStamp.Of(runStartedAt) ?? "";
        for (var attempt = 0; ; attempt++)
        {
            var node = await calls.ReadAsync(client, nodeName, cancellationToken);
            var cordoned = node.Spec?.Unschedulable == true;
            var holds = CordonHolds.On(node);
            if (cordoned && holds is not { Count: > 0 })
            {
                return new ActionOutcome(StepType, false,
                    $"node {nodeName} was already cordoned, not by Containment: it is left as it is, and no uncordonNode step makes it schedulable", nodeName);
            }

            if (cordoned && holds!.TryGetValue(holder, out var held) && !CordonHolds.IsBehind(held, runStartedAt))
            {
                return new ActionOutcome(StepType, false, $"node {nodeName} is already cordoned for pod {holder}", nodeName);
            }

            // A node made schedulable by hand since an earlier cordon drops the holds that cordon left: that person gave it back.
            var others = cordoned ? CordonHolds.Without(holds!, holder) : new Dictionary<string, string>();
            try
            {
                await calls.PatchAsync(client, node, CordonHolds.With(others, holder, stamp), schedulable: cordoned ? null : false, cancellationToken);
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < NodeHoldCalls.MaxConflictRetries)
            {
                continue;
            }

            logger.LogInformation("Cordoned node {Node} for pod {Namespace}/{Pod} in {Cluster}", nodeName, target.Namespace, target.Pod, connection.Facts.Alias);
            return new ActionOutcome(StepType, true, (cordoned, others.Count) switch
            {
                (false, _) => $"node {nodeName} cordoned for pod {holder}",
                (true, 0) => $"node {nodeName} is already cordoned for pod {holder}; its hold now names this run",
                _ => $"node {nodeName} was already cordoned by Containment for {CordonHolds.Named(others.Keys)}; it is now kept cordoned for pod {holder} too",
            }, nodeName);
        }
    }
}
