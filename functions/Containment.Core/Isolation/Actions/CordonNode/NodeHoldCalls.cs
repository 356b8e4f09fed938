using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;
using k8s.Models;

namespace Containment.Isolation.Actions.CordonNode;

/// <summary>
/// The node calls of cordon, uncordon and the drift check. Each patch carries the resourceVersion read, so holds another
/// run wrote since end in a conflict and are judged again rather than overwritten.
/// </summary>
internal static class NodeHoldCalls
{
    /// <summary>How often a patch that met a change made since is judged again on a fresh read: the runs of several pods on one node may write its holds at the same moment.</summary>
    public const int MaxConflictRetries = 8;

    /// <param name="holds">The holds the node keeps; null: none, the label and the annotation go.</param>
    /// <param name="schedulable">False cordons, true uncordons (the field goes, as after <c>kubectl uncordon</c>); null leaves it.</param>
    public static Task<V1Node> PatchAsync(
        this KubernetesCallPipeline calls, IKubernetes client, V1Node node, IReadOnlyDictionary<string, string>? holds, bool? schedulable,
        CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = node.Metadata.ResourceVersion,
                ["labels"] = new JsonObject { [CordonHolds.CordonedLabel] = holds is null ? null : CordonHolds.CordonedValue },
                ["annotations"] = new JsonObject { [CordonHolds.HoldsAnnotation] = holds is null ? null : CordonHolds.Text(holds) },
            },
        };
        if (schedulable is { } becomesSchedulable)
        {
            patch["spec"] = new JsonObject { ["unschedulable"] = becomesSchedulable ? null : true };
        }

        var name = node.Metadata.Name;
        return calls.ExecuteAsync(new KubernetesOperation("patch", "nodes", Name: name),
            ct => client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, cancellationToken: ct),
            cancellationToken);
    }

    public static Task<V1Node> ReadAsync(this KubernetesCallPipeline calls, IKubernetes client, string name, CancellationToken cancellationToken) =>
        calls.ExecuteAsync(new KubernetesOperation("get", "nodes", Name: name),
            ct => client.CoreV1.ReadNodeAsync(name, cancellationToken: ct), cancellationToken);

    /// <summary>The nodes Containment cordoned, found by their label (the pods they are held for may be gone by now).</summary>
    public static async Task<IList<V1Node>> ListCordonedAsync(this KubernetesCallPipeline calls, IKubernetes client, CancellationToken cancellationToken) =>
        (await calls.ExecuteAsync(new KubernetesOperation("list", "nodes"),
            ct => client.CoreV1.ListNodeAsync(labelSelector: CordonHolds.CordonedLabel, cancellationToken: ct), cancellationToken)).Items;

    public static Task<V1Node?> ReadOrDefaultAsync(this KubernetesCallPipeline calls, IKubernetes client, string name, CancellationToken cancellationToken) =>
        calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "nodes", Name: name),
            ct => client.CoreV1.ReadNodeAsync(name, cancellationToken: ct), cancellationToken);
}
