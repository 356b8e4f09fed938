using System.Text.Json.Nodes;
using Containment.Clusters;
using Containment.Isolation.Actions.Quarantine;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Containment.Isolation.Actions.Release;

/// <summary>
/// Undoes a quarantine exactly: restores the saved label map and removes the annotation, then deletes the
/// policies, and reads the pod once more, so that one another run has quarantined meanwhile keeps its fence.
/// Idempotent; a pod that no longer exists releases cleanly with a note.
/// </summary>
public sealed class ReleasePod(
    ClusterRegistry clusters,
    KubernetesCallPipeline calls,
    ILogger<ReleasePod> logger) : IContainmentAction
{
    internal const string StillFenced =
        "; the pod keeps its quarantine label and its deny-all policy, so it is still isolated: release it again once the cause is fixed";

    internal const string RestoredPolicyLeft =
        "; the pod's labels are restored, so it is no longer isolated, but its quarantine policy is left (it selects no pod): release it again to delete it";

    internal const string FenceNotPutBack =
        "; its quarantine policies were deleted, but whether another run quarantined the pod meanwhile is not known, and if one did its fence was not put back:"
        + " if the pod carries a quarantine label, no policy selects it; isolate it again";

    internal const string FencePutBack = "another run quarantined the pod while this release ran; its fence was put back";

    internal const string LaterFenceUnknown =
        "; a later run has isolated the pod since, and this release leaves that quarantine, but whether its fence stands is not known (an earlier try of this release may have deleted it):"
        + " if no policy selects the pod, isolate it again";

    private const int MaxConflictRetries = 3;

    public static string StepType => Playbooks.ReleaseStep.TypeName;

    public static IReadOnlyList<string> Checks { get; } =
    [
        "no later run of the pod has isolated it since",
        "the pod carries the labels its quarantine saved, which come back exactly (a quarantine label with none saved beside it was put on by hand: only it comes off)",
        "the labels are back before the quarantine policies are deleted, so no moment leaves the pod selected by no policy",
        "once the policies are deleted, the pod is read again: one another run has quarantined meanwhile gets its fence back",
        "a pod a later run has isolated is left to that run with its fence standing: an earlier try of this release may have deleted that fence and failed to put it back",
        "a delete tried again after a try that may have deleted the policy (no answer, a server error), or one made when the pod carries no quarantine, is sent only if the policy is there and no later run made it, with the uid and version read as its preconditions: a later run may make or write its own meanwhile",
        "a pod that is gone has only its quarantine policies deleted",
    ];

    /// <summary>What <see cref="ReleasePod"/> does on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } =
    [
        new("", "pods", ["get", "patch"]),
        new("networking.k8s.io", "networkpolicies", ["get", "create", "update", "delete"]),
        new(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Plural, ["get", "create", "update", "delete"]),
    ];

    /// <param name="runStartedAt">The start of the run that releases, when known: a pod a later run has isolated since is left as it is (<see cref="RunStamp"/>).</param>
    /// <exception cref="SupersededByLaterRunException">A later run of the pod has isolated it since; nothing was changed but to put back that run's fence where it was missing.</exception>
    public async Task<ReleaseOutcome> ReleaseAsync(PodReference target, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var client = connection.Client;
        var ns = target.Namespace;
        var notes = new List<string>();

        // The labels come back before the fence comes down: the pod goes from the deny-all straight back into its
        // Services and allow policies. The other order leaves a pod that no policy selects, open to all traffic,
        // until its labels are back; and a release that stopped half way would leave it so.
        var read = await calls.ReadPodOrDefaultAsync(client, target.Namespace, target.Pod, cancellationToken);
        var policyName = QuarantineNames.PolicyName(target.Pod);
        LabelsBack labelsBack;
        try
        {
            labelsBack = read is null ? new LabelsBack(null, null) : await RestoreFencedAsync(client, read, target, runStartedAt, cancellationToken);
        }
        catch (SupersededByLaterRunException)
        {
            await KeepLaterRunsFenceAsync(connection, target, policyName, cancellationToken);
            throw;
        }

        var (pod, saved, markOnly) = labelsBack;
        List<string> deleted;
        try
        {
            // A pod read without its quarantine (gone, or given back by an earlier try) says nothing of the fence under its
            // name, which may be the one a later run has just made for its isolation, not yet relabelled: that fence is
            // read first, and left when a later run made it.
            var fenceUnknown = !QuarantineNames.IsQuarantined(read);
            deleted = await DeletePoliciesAsync(connection, ns, policyName, runStartedAt, fenceUnknown, cancellationToken);
        }
        catch (KubernetesOperationException e) when (saved is not null)
        {
            throw e.WithNote(RestoredPolicyLeft);
        }

        // Every policy deleted is put back: none of them stays deleted.
        if (deleted.Count > 0 && await FenceIfQuarantinedAgainAsync(connection, target, policyName, cancellationToken))
        {
            deleted.Clear();
            notes.Add(FencePutBack);
        }

        if (pod is null)
        {
            notes.Add($"pod {ns}/{target.Pod} no longer exists; {(deleted.Count > 0 ? "its quarantine policies were deleted" : "no quarantine policy was left")}");
            logger.LogInformation("Released {Namespace}/{Pod}: the pod is gone, deleted {Deleted}", ns, target.Pod, deleted.Count);
            return Outcome(ReleaseStatus.PodGone, connection, target, deleted, new Dictionary<string, string>(), notes);
        }

        if (markOnly)
        {
            notes.Add($"pod {ns}/{target.Pod} carried a quarantine label but no saved labels (the label was put on by hand); the label was taken off, its other labels were left as they are");
        }

        if (saved is null)
        {
            notes.Add(pod.Metadata.Annotations?.ContainsKey(QuarantineNames.SavedLabelsAnnotation) == true
                ? $"pod {ns}/{target.Pod} is not quarantined, so its {QuarantineNames.SavedLabelsAnnotation} annotation is not Containment's and was not used; its labels were left as they are"
                : $"pod {ns}/{target.Pod} carries no saved labels; its labels were left as they are");
            return Outcome(deleted.Count > 0 ? ReleaseStatus.Released : ReleaseStatus.NotIsolated, connection, target, deleted, new Dictionary<string, string>(), notes);
        }

        logger.LogInformation("Released {Namespace}/{Pod}: restored {Labels} labels, deleted {Deleted}", ns, target.Pod, saved.Count, deleted.Count);
        return Outcome(ReleaseStatus.Released, connection, target, deleted, saved, notes);
    }

    /// <summary>Whether the pod exists and carries a quarantine: what a release has to undo, whatever the ledger says.</summary>
    public async Task<bool> IsQuarantinedAsync(PodReference target, CancellationToken cancellationToken)
    {
        var client = (await clusters.ConnectAsync(target.Cluster, cancellationToken)).Client;
        return QuarantineNames.IsQuarantined(await calls.ReadPodOrDefaultAsync(client, target.Namespace, target.Pod, cancellationToken));
    }

    /// <summary>Whether the pod's quarantine NetworkPolicy is there: a release deletes it, whatever the ledger says.</summary>
    public async Task<bool> HasFenceAsync(PodReference target, CancellationToken cancellationToken)
    {
        var client = (await clusters.ConnectAsync(target.Cluster, cancellationToken)).Client;
        var name = QuarantineNames.PolicyName(target.Pod);
        return await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "networkpolicies", target.Namespace, name),
            ct => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, target.Namespace, cancellationToken: ct), cancellationToken) is not null;
    }

    /// <summary>
    /// Gives the pod its saved labels back and leaves its quarantine policies: the undo of an isolation made by a run
    /// that had ended, after a later run of the pod released it. A policy left selects no pod once the labels are
    /// back, and deleting it could take away a fence that another isolation has just made ahead.
    /// </summary>
    /// <returns>Whether labels were given back (false: the pod is gone, or carries no quarantine).</returns>
    /// <exception cref="SupersededByLaterRunException">A later run has isolated the pod since; nothing was changed.</exception>
    public async Task<bool> GiveBackLabelsAsync(PodReference target, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        var client = (await clusters.ConnectAsync(target.Cluster, cancellationToken)).Client;
        var read = await calls.ReadPodOrDefaultAsync(client, target.Namespace, target.Pod, cancellationToken);
        return read is not null && (await RestoreFencedAsync(client, read, target, runStartedAt, cancellationToken)).Saved is not null;
    }

    /// <summary>Deletes the NetworkPolicy and, where served, the Cilium policy; names those that were there.</summary>
    /// <param name="runStartedAt">The start of the releasing run: a policy a later run made is not deleted once it may be there.</param>
    /// <param name="readFirst">Whether the policy is read before the first delete too, not only before a delete tried again.</param>
    private async Task<List<string>> DeletePoliciesAsync(ClusterConnection connection, string ns, string policyName, DateTimeOffset? runStartedAt, bool readFirst, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        var guard = new FenceGuard(runStartedAt, readFirst);
        if (await QuarantinePolicyDeletes.DeleteNetworkPolicyAsync(calls, connection.Client, ns, policyName, guard, cancellationToken))
        {
            deleted.Add($"NetworkPolicy/{policyName}");
        }

        if (connection.Facts.ServesCiliumNetworkPolicies && await QuarantinePolicyDeletes.DeleteCiliumPolicyAsync(calls, connection.Client, ns, policyName, guard, cancellationToken))
        {
            deleted.Add($"CiliumNetworkPolicy/{policyName}");
        }

        return deleted;
    }

    /// <summary>
    /// Reads the pod once its fence is down: another run that relabelled it into quarantine while this release ran (after
    /// the restore, before the delete) has lost the fence just deleted, and the pod, selected by no policy, is open to all
    /// traffic. Its fence is put back, for the quarantine id the pod carries. For the other order, the isolation reads its
    /// fence again after its relabel.
    /// </summary>
    /// <returns>Whether the fence was put back (false: the pod is not quarantined, or gone).</returns>
    private async Task<bool> FenceIfQuarantinedAgainAsync(ClusterConnection connection, PodReference target, string policyName, CancellationToken cancellationToken)
    {
        try
        {
            return await FenceAsQuarantinedAsync(connection, target, policyName, likelyExists: false, cancellationToken);
        }
        catch (KubernetesOperationException e)
        {
            throw e.WithNote(FenceNotPutBack);
        }
    }

    /// <summary>
    /// Makes sure the fence of the later run that has isolated the pod stands, before the release stops and leaves that
    /// quarantine: an earlier try of this release may have deleted it after the later run took it up, and then failed to
    /// put it back, leaving the pod quarantined and selected by no policy. Only a release that meets a later run pays these reads.
    /// </summary>
    private async Task KeepLaterRunsFenceAsync(ClusterConnection connection, PodReference target, string policyName, CancellationToken cancellationToken)
    {
        try
        {
            await FenceAsQuarantinedAsync(connection, target, policyName, likelyExists: true, cancellationToken);
        }
        catch (KubernetesOperationException e)
        {
            throw e.WithNote(LaterFenceUnknown);
        }
    }

    /// <summary>Reads the pod and, when it carries a quarantine, applies the fence for it, stamped with the run the pod names.</summary>
    /// <returns>Whether the pod carries a quarantine (false: it does not, or is gone).</returns>
    private async Task<bool> FenceAsQuarantinedAsync(ClusterConnection connection, PodReference target, string policyName, bool likelyExists, CancellationToken cancellationToken)
    {
        var pod = await calls.ReadPodOrDefaultAsync(connection.Client, target.Namespace, target.Pod, cancellationToken);
        if (QuarantineNames.QuarantineIdOf(pod) is not { } quarantineId)
        {
            return false;
        }

        var (policy, cilium) = await QuarantinePolicyWrites.ApplyFenceAsync(calls, connection.Client, target.Namespace, policyName,
            new FenceOwner(target.Pod, quarantineId, RunStamp.On(pod!)), connection.Facts.ServesCiliumNetworkPolicies, likelyExists, cancellationToken);
        if (policy.Wrote || cilium.Wrote)
        {
            logger.LogWarning("Release of {Namespace}/{Pod}: another run has quarantined the pod ({QuarantineId}) and its fence was missing; put back {Policy}",
                target.Namespace, target.Pod, quarantineId, policyName);
        }

        return true;
    }

    /// <summary>The restore, with what a failure leaves said: the pod keeps its quarantine, lest "failed" be read as "released".</summary>
    private async Task<LabelsBack> RestoreFencedAsync(
        IKubernetes client, V1Pod pod, PodReference target, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        try
        {
            return await RestoreAsync(client, pod, target, runStartedAt, cancellationToken);
        }
        catch (KubernetesOperationException e)
        {
            throw e.WithNote(StillFenced);
        }
    }

    /// <summary>Gives the pod its saved labels back, or takes off a quarantine label put on by hand.</summary>
    private async Task<LabelsBack> RestoreAsync(
        IKubernetes client, V1Pod pod, PodReference target, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            RunStamp.ThrowIfLaterRun(pod, runStartedAt);

            // The annotation is Containment's only on a quarantined pod: on any other, whoever may edit the pod could have
            // put it there, and the release would give the pod those labels instead of its own.
            if (!QuarantineNames.IsQuarantined(pod))
            {
                return new LabelsBack(pod, null);
            }

            var saved = QuarantinePod.SavedByQuarantine(pod);
            var restored = new LabelsBack(pod, saved ?? new Dictionary<string, string>(), MarkOnly: saved is null);
            try
            {
                // A quarantine label without saved labels was put on by hand: it alone goes, the pod's other labels stay.
                await PatchLabelsAsync(client, pod, saved is null ? QuarantineLabelOff() : LabelsRestored(pod, saved), cancellationToken);
                return restored;
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < MaxConflictRetries)
            {
                // The pod changed since it was read: read it again, and judge it again.
                if (await calls.ReadPodOrDefaultAsync(client, target.Namespace, target.Pod, cancellationToken) is not { } reread)
                {
                    return new LabelsBack(null, null);
                }

                // Most often the change is this very patch, applied by a try whose answer was lost, which the retry's
                // resourceVersion then met: the pod is as the restore leaves it, and the restore is what happened.
                if (IsAsRestored(reread, saved ?? LabelsWithout(pod, QuarantineNames.QuarantineLabel)))
                {
                    return restored with { Pod = reread };
                }

                pod = reread;
            }
        }
    }

    // Labels not in the saved map are removed, saved ones set back in their saved order.
    private static JsonObject LabelsRestored(V1Pod pod, IReadOnlyDictionary<string, string> saved)
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

        return labels;
    }

    /// <summary>Whether the pod carries exactly <paramref name="labels"/> and none of quarantine's annotations: what the restore leaves.</summary>
    private static bool IsAsRestored(V1Pod pod, IReadOnlyDictionary<string, string> labels)
    {
        var now = pod.Metadata.Labels ?? new Dictionary<string, string>();
        var annotations = pod.Metadata.Annotations;
        return now.Count == labels.Count
            && labels.All(label => now.TryGetValue(label.Key, out var value) && value == label.Value)
            && annotations?.ContainsKey(QuarantineNames.SavedLabelsAnnotation) != true
            && annotations?.ContainsKey(QuarantineNames.RunAnnotation) != true;
    }

    private static Dictionary<string, string> LabelsWithout(V1Pod pod, string key) =>
        (pod.Metadata.Labels ?? new Dictionary<string, string>()).Where(label => label.Key != key).ToDictionary();

    private static JsonObject QuarantineLabelOff() => new() { [QuarantineNames.QuarantineLabel] = null };

    // The annotations quarantine added go; other annotations are untouched. The patch carries the resourceVersion
    // read, so a change made since (a later run's isolation, say) is judged again rather than overwritten.
    private async Task PatchLabelsAsync(IKubernetes client, V1Pod pod, JsonObject labels, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = pod.Metadata.ResourceVersion,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = null, [QuarantineNames.RunAnnotation] = null },
            },
        };
        var ns = pod.Metadata.NamespaceProperty;
        var name = pod.Metadata.Name;
        await calls.ExecuteAsync(new KubernetesOperation("patch", "pods", ns, name),
            ct => client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct),
            cancellationToken);
    }

    /// <param name="Pod">The pod as last read; null once it is gone.</param>
    /// <param name="Saved">The labels given back; null where the pod carried no quarantine.</param>
    /// <param name="MarkOnly">The pod carried a quarantine label without saved labels, and only that label was taken off.</param>
    private sealed record LabelsBack(V1Pod? Pod, IReadOnlyDictionary<string, string>? Saved, bool MarkOnly = false);

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
