using Containment.Clusters;
using Containment.Isolation.Actions.CordonNode;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Containment.Isolation.Actions.UncordonNode;

/// <summary>
/// Gives back a node that <c>cordonNode</c> cordoned for a pod (playbook step <c>uncordonNode</c>): takes the pod's hold
/// off the node, and makes the node schedulable once no pod's hold is left, as <c>kubectl uncordon</c> does. The node is
/// found by its label, not through the pod, which may be gone or scheduled elsewhere by now. A node cordoned by someone
/// else, or kept cordoned for another pod, stays cordoned.
/// </summary>
public sealed class UncordonNode(ClusterRegistry clusters, KubernetesCallPipeline calls, ILogger<UncordonNode> logger) : IContainmentAction
{
    public static string StepType => Playbooks.UncordonNodeStep.TypeName;

    public static IReadOnlyList<string> Checks { get; } =
    [
        "the node carries Containment's hold for the pod",
        "no later run of the pod has cordoned the node since",
        "no other pod's hold is left on the node before it is made schedulable",
    ];

    /// <summary>What <see cref="UncordonNode"/> does on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } = [new("", "nodes", ["list", "get", "patch"])];

    /// <param name="runStartedAt">The start of the run that uncordons, when known: a hold a later run of the pod made is left (<see cref="RunStamp"/>).</param>
    public async Task<ActionOutcome> UncordonAsync(PodReference target, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var client = connection.Client;
        var holder = CordonHolds.Holder(target);
        var held = (await calls.ListCordonedAsync(client, cancellationToken)).Where(node => CordonHolds.IsHeldFor(node, holder)).ToList();
        if (held.Count == 0)
        {
            return new ActionOutcome(StepType, false, $"no node is cordoned by Containment for pod {holder}; nothing to uncordon");
        }

        var results = new List<(bool Changed, string Message)>();
        foreach (var node in held)
        {
            results.Add(await GiveBackAsync(client, node, holder, runStartedAt, cancellationToken));
        }

        logger.LogInformation("Uncordon for pod {Namespace}/{Pod} in {Cluster}: {Results}", target.Namespace, target.Pod, connection.Facts.Alias,
            string.Join("; ", results.Select(result => result.Message)));
        return new ActionOutcome(StepType, results.Any(result => result.Changed), string.Join("; ", results.Select(result => result.Message)),
            string.Join(",", held.Select(node => node.Metadata.Name)));
    }

    /// <summary>Whether a node is kept cordoned for the pod: what a release by hand still has to give back, whatever the ledger says.</summary>
    public async Task<bool> IsHeldForAsync(PodReference target, CancellationToken cancellationToken)
    {
        var client = (await clusters.ConnectAsync(target.Cluster, cancellationToken)).Client;
        return (await calls.ListCordonedAsync(client, cancellationToken)).Any(node => CordonHolds.IsHeldFor(node, CordonHolds.Holder(target)));
    }

    private async Task<(bool Changed, string Message)> GiveBackAsync(
        IKubernetes client, V1Node node, string holder, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        var name = node.Metadata.Name;
        for (var attempt = 0; ; attempt++)
        {
            var holds = CordonHolds.On(node);
            if (holds is null || !holds.TryGetValue(holder, out var stamp))
            {
                return (false, $"node {name} is no longer held for pod {holder}");
            }

            if (CordonHolds.IsLater(stamp, runStartedAt))
            {
                return (false, $"node {name} stays cordoned: a later run of pod {holder} (started {stamp}) has cordoned it since");
            }

            var others = CordonHolds.Without(holds, holder);
            var cordoned = node.Spec?.Unschedulable == true;
            try
            {
                // The last hold takes the label and the annotation with it, so the node is left as it was before the cordon.
                await calls.PatchAsync(client, node, others.Count == 0 ? null : others, schedulable: others.Count == 0 && cordoned ? true : null, cancellationToken);
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < NodeHoldCalls.MaxConflictRetries)
            {
                if (await calls.ReadOrDefaultAsync(client, name, cancellationToken) is not { } reread)
                {
                    return (false, $"node {name} no longer exists");
                }

                node = reread;
                continue;
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.NotFound)
            {
                return (false, $"node {name} no longer exists");
            }

            return (true, (others.Count, cordoned) switch
            {
                (0, true) => $"node {name} uncordoned: it was cordoned for pod {holder} alone",
                (0, false) => $"node {name} was made schedulable already, not by Containment; the hold for pod {holder} was taken off",
                _ => $"node {name} stays cordoned for {CordonHolds.Named(others.Keys)}; the hold for pod {holder} was taken off",
            });
        }
    }
}
