using System.Text.Json.Nodes;
using Containment.Clusters;
using Containment.Isolation.Actions.Quarantine;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Containment.Isolation.Actions.Release;

/// <summary>
/// Undoes a quarantine exactly: deletes the policies, restores the saved label map and removes the
/// annotation. Idempotent; a pod that no longer exists releases cleanly with a note.
/// </summary>
public sealed class ReleasePod(
    ClusterRegistry clusters,
    KubernetesCallPipeline calls,
    ILogger<ReleasePod> logger) : IContainmentAction
{
    internal const string UnfencedNotRestored =
        "; its quarantine NetworkPolicy is deleted, so that policy no longer fences it, and its saved labels may not be restored yet"
        + " (they stay saved on the pod): release it again to finish, or isolate it again";

    public string Name => "releasePod";

    public IReadOnlyList<ActionParameter> Parameters { get; } =
    [
        new(nameof(PodReference.Cluster), "cluster alias or AKS resource id"),
        new(nameof(PodReference.Namespace), "the pod's namespace"),
        new(nameof(PodReference.Pod), "the pod's name"),
    ];

    public IReadOnlyList<string> Checks { get; } = ["the pod carries the saved-labels annotation (else only policies are removed)"];

    public IReadOnlyList<KubernetesPermission> Permissions { get; } =
    [
        new("", "pods", ["get", "patch"]),
        new("networking.k8s.io", "networkpolicies", ["delete"]),
        new(QuarantinePod.CiliumGroup, QuarantinePod.CiliumPlural, ["delete"]),
    ];

    public async Task<ReleaseOutcome> ReleaseAsync(PodReference target, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var policyName = QuarantineNames.PolicyName(target.Pod);
        var deleted = new List<string>();
        if (await DeleteNetworkPolicyAsync(connection.Client, target.Namespace, policyName, cancellationToken))
        {
            deleted.Add($"NetworkPolicy/{policyName}");
        }

        try
        {
            return await ReleaseUnfencedAsync(connection, target, policyName, deleted, cancellationToken);
        }
        catch (KubernetesOperationException e)
        {
            // The deny-all policy is gone: say so, lest "failed" be read as "still isolated".
            throw new KubernetesOperationException(e.Failure with { Message = e.Failure.Message + UnfencedNotRestored }, e);
        }
    }

    /// <summary>What follows the NetworkPolicy's deletion: the Cilium policy, then the pod's labels.</summary>
    private async Task<ReleaseOutcome> ReleaseUnfencedAsync(ClusterConnection connection, PodReference target, string policyName, List<string> deleted, CancellationToken cancellationToken)
    {
        var client = connection.Client;
        var ns = target.Namespace;
        var notes = new List<string>();
        if (connection.Facts.ServesCiliumNetworkPolicies && await DeleteCiliumPolicyAsync(client, ns, policyName, cancellationToken))
        {
            deleted.Add($"CiliumNetworkPolicy/{policyName}");
        }

        var pod = await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "pods", ns, target.Pod),
            ct => client.CoreV1.ReadNamespacedPodAsync(target.Pod, ns, cancellationToken: ct), cancellationToken);
        if (pod is null)
        {
            notes.Add($"pod {ns}/{target.Pod} no longer exists; {(deleted.Count > 0 ? "its quarantine policies were deleted" : "no quarantine policy was left")}");
            logger.LogInformation("Released {Namespace}/{Pod}: the pod is gone, deleted {Deleted}", ns, target.Pod, deleted.Count);
            return Outcome(ReleaseStatus.PodGone, connection, target, deleted, new Dictionary<string, string>(), notes);
        }

        var saved = QuarantinePod.SavedLabels(pod);
        if (saved is null)
        {
            notes.Add($"pod {ns}/{target.Pod} carries no saved labels; its labels were left as they are");
            return Outcome(deleted.Count > 0 ? ReleaseStatus.Released : ReleaseStatus.NotIsolated, connection, target, deleted, new Dictionary<string, string>(), notes);
        }

        await RestoreLabelsAsync(client, pod, saved, cancellationToken);
        logger.LogInformation("Released {Namespace}/{Pod}: restored {Labels} labels, deleted {Deleted}", ns, target.Pod, saved.Count, deleted.Count);
        return Outcome(ReleaseStatus.Released, connection, target, deleted, saved, notes);
    }

    // Labels not in the saved map are removed, saved ones set back in their saved order; the
    // annotation goes; other annotations are untouched.
    private async Task RestoreLabelsAsync(IKubernetes client, V1Pod pod, IReadOnlyDictionary<string, string> saved, CancellationToken cancellationToken)
    {
        var labels = new JsonObject();
        foreach (var key in (pod.Metadata.Labels ?? new Dictionary<string, string>()).Keys.Where(k => !saved.ContainsKey(k)))
        {
            labels[key] = null;
        }

        foreach (var (key, value) in saved)
        {
            labels[key] = value;
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = labels,
                ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = null },
            },
        };
        var ns = pod.Metadata.NamespaceProperty;
        var name = pod.Metadata.Name;
        await calls.ExecuteAsync(new KubernetesOperation("patch", "pods", ns, name),
            ct => client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct),
            cancellationToken);
    }

    private async Task<bool> DeleteNetworkPolicyAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        var status = await calls.ExecuteOrDefaultAsync(new KubernetesOperation("delete", "networkpolicies", ns, name),
            ct => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct), cancellationToken);
        return status is not null;
    }

    private async Task<bool> DeleteCiliumPolicyAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        var result = await calls.ExecuteOrDefaultAsync(new KubernetesOperation("delete", "ciliumnetworkpolicies.cilium.io", ns, name),
            ct => client.CustomObjects.DeleteNamespacedCustomObjectAsync(QuarantinePod.CiliumGroup, QuarantinePod.CiliumVersion, ns, QuarantinePod.CiliumPlural, name, cancellationToken: ct),
            cancellationToken);
        return result is not null;
    }

    private static ReleaseOutcome Outcome(ReleaseStatus status, ClusterConnection connection, PodReference target, List<string> deleted,
        IReadOnlyDictionary<string, string> restored, List<string> notes) => new()
    {
        Status = status,
        Cluster = connection.Facts.Alias,
        Namespace = target.Namespace,
        Pod = target.Pod,
        DeletedPolicies = deleted,
        RestoredLabels = restored,
        Notes = notes,
    };
}
