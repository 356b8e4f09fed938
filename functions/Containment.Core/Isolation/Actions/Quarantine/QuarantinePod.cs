using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// Quarantines a pod: applies a deny-all NetworkPolicy selecting a quarantine label (and a CiliumNetworkPolicy
/// with deny rules where the cluster serves them), then saves and replaces the pod's labels with that one label,
/// so it leaves every Service and every existing allow policy already fenced; then reads back.
/// Idempotent: when everything is in place it writes nothing. Its two reads (the pod, the namespace's other
/// policies) and the creates of its fence may have been made ahead, while the run that isolates was being stored
/// (<see cref="ReadAhead"/>): the fence selects no pod until the relabel, which is never made ahead.
/// </summary>
public sealed class QuarantinePod(
    ClusterRegistry clusters,
    KubernetesCallPipeline calls,
    QuarantineReadAhead readAhead,
    IOptions<ClusterAccessOptions> options,
    ILogger<QuarantinePod> logger) : IContainmentAction
{
    private const int MaxConflictRetries = 3;
    private const string NotManagedHere = QuarantineNames.ManagedByLabel + "!=" + QuarantineNames.ManagedByValue;

    internal const string FencedNotRelabelled =
        "; the pod was not relabelled, so it is not isolated: its deny-all policy is in place but selects no pod until it is."
        + " Isolate it again once the cause is fixed, or release it to delete the policy";

    internal const string RelabelledFenceUnknown =
        "; the pod was relabelled into quarantine, but its deny-all policy could not be checked again, and a release under way may have deleted it:"
        + " isolate it again";

    public static string StepType => Playbooks.IsolateStep.TypeName;

    public static IReadOnlyList<string> Checks { get; } =
    [
        .. QuarantinePreflight.Checks,
        "no later run of the pod has isolated it since",
        "once relabelled, the pod carries exactly the quarantine label, and its quarantine policies are as written (else the isolation is partial)",
        "no other NetworkPolicy that selects the pod allows traffic (else the isolation is partial; a partial isolation fails the step unless allowPartial)",
    ];

    /// <summary>What <see cref="QuarantinePod"/> does on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } =
    [
        new("", "pods", ["get", "patch"]),
        new("networking.k8s.io", "networkpolicies", ["get", "list", "create", "update", "delete"]),
        new(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Plural, ["get", "create", "update", "delete"]),
    ];

    /// <summary>Runs the checks only; null when the pod may be quarantined.</summary>
    public async Task<PreflightFailure?> PreflightAsync(PodReference target, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var pod = await calls.ReadPodOrDefaultAsync(connection.Client, target.Namespace, target.Pod, cancellationToken);
        return QuarantinePreflight.Check(target.Namespace, target.Pod, pod, connection.Facts, options.Value);
    }

    /// <summary>
    /// Starts the reads <see cref="IsolateAsync"/> begins with, and its fence, for an isolation about to be decided (its
    /// run is being stored). The isolation uses them if they worked and are younger than <see cref="QuarantineReadAhead.MaxAge"/>.
    /// </summary>
    public void ReadAhead(QuarantineRequest request, CancellationToken cancellationToken)
    {
        if (options.Value.IsProtected(request.Namespace))
        {
            return;
        }

        readAhead.Begin(request, () =>
        {
            var connecting = clusters.ConnectAsync(request.Cluster, cancellationToken);
            var pod = OnceConnectedAsync(connecting, client => calls.ReadPodOrDefaultAsync(client, request.Namespace, request.Pod, cancellationToken));
            return new QuarantineReads(
                pod,
                OnceConnectedAsync(connecting, client => ListOtherPoliciesAsync(client, request.Namespace, cancellationToken)),
                FenceAhead(connecting, request, cancellationToken));
        });
    }

    /// <summary>
    /// Creates the pod's deny-all policies ahead, for the quarantine id a pod not quarantined yet is given. They select only
    /// that id's label, which no pod carries until the isolation relabels this one, so they change no traffic: should the
    /// run never be stored, what is left selects nothing, and the pod's next isolation takes it up (a release deletes it).
    /// Only creates: whatever is in the way is left for the isolation to judge.
    /// </summary>
    private QuarantineFence FenceAhead(Task<ClusterConnection> connecting, QuarantineRequest request, CancellationToken cancellationToken)
    {
        var ns = request.Namespace;
        var quarantineId = QuarantineNames.LabelValue(request.QuarantineId);
        var name = QuarantineNames.PolicyName(request.Pod);
        var owner = new FenceOwner(request.Pod, quarantineId, request.RunStartedAt);
        return new QuarantineFence(
            quarantineId,
            WhereEnforcedAsync(connecting, async connection => await QuarantinePolicyWrites.CreateNetworkPolicyAsync(calls, connection.Client, ns, name, owner, cancellationToken)),
            WhereEnforcedAsync(connecting, async connection => connection.Facts.ServesCiliumNetworkPolicies
                ? await QuarantinePolicyWrites.CreateCiliumPolicyAsync(calls, connection.Client, ns, name, owner, cancellationToken)
                : null));
    }

    // A cluster that enforces no NetworkPolicy refuses every quarantine: nothing is made ahead there.
    private static async Task<T?> WhereEnforcedAsync<T>(Task<ClusterConnection> connecting, Func<ClusterConnection, Task<T?>> create)
        where T : class
    {
        var connection = await connecting;
        return connection.Facts.Engine == NetworkPolicyEngine.None ? null : await create(connection);
    }

    public async Task<IsolationOutcome> IsolateAsync(QuarantineRequest request, CancellationToken cancellationToken)
    {
        var connection = await clusters.ConnectAsync(request.Cluster, cancellationToken);
        var ns = request.Namespace;
        if (options.Value.IsProtected(ns))
        {
            return Refused(connection, request, QuarantinePreflight.Check(ns, request.Pod, pod: null, connection.Facts, options.Value)!);
        }

        // The policies Containment does not manage depend on nothing the isolation reads or writes, so their list goes
        // out with the pod's read (or went out with it ahead) and is awaited only for the verification. One not needed
        // in the end (a refusal, a failed write) is let finish, so that its own failure is not left unobserved.
        var taken = readAhead.Take(request);
        var ahead = taken is { Stale: false } ? taken : null;
        var listing = AheadOrAgainAsync(ahead?.OtherPolicies, () => ListOtherPoliciesAsync(connection.Client, ns, cancellationToken), cancellationToken);
        try
        {
            return await IsolateListingAsync(connection, request, ahead?.Pod, taken?.Fence, listing, cancellationToken);
        }
        finally
        {
            await ((Task)listing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<IsolationOutcome> IsolateListingAsync(
        ClusterConnection connection, QuarantineRequest request, Task<V1Pod?>? podAhead, QuarantineFence? fenceAhead, Task<IList<V1NetworkPolicy>> listing,
        CancellationToken cancellationToken)
    {
        var client = connection.Client;
        var ns = request.Namespace;
        var read = await AheadOrAgainAsync(podAhead, () => calls.ReadPodOrDefaultAsync(client, ns, request.Pod, cancellationToken), cancellationToken);
        if (QuarantinePreflight.Check(ns, request.Pod, read, connection.Facts, options.Value) is { } refusal)
        {
            await TakeDownAsync(client, ns, fenceAhead, request.RunStartedAt, cancellationToken);
            return Refused(connection, request, refusal);
        }

        var pod = read!; // the checks refuse a pod that is gone

        // A later run has isolated the pod since this run's call began (under Durable Functions, a call goes on after its
        // run is ended): the fence is that run's too, so nothing made ahead is taken down.
        RunStamp.ThrowIfLaterRun(pod, request.RunStartedAt);

        var policyName = QuarantineNames.PolicyName(request.Pod);
        string? ciliumName = connection.Facts.ServesCiliumNetworkPolicies ? policyName : null;

        // A pod quarantined earlier keeps the quarantine id it carries, and its policies are likely there already.
        var previousId = QuarantineNames.QuarantineIdOf(pod);
        var quarantineId = previousId ?? QuarantineNames.LabelValue(request.QuarantineId);

        // The fence goes up before the relabel: the policies select only the quarantine label, which the pod does
        // not carry yet, so the relabel takes it out of its Services and allow policies straight into the deny-all.
        // The other order leaves a pod that no policy selects, open to all traffic, until the fence lands.
        // A fence made ahead for another quarantine id than the pod carries selects nothing: the fence is applied as if it
        // were not there, once its creates have been answered, so that one still under way does not race the apply.
        if (fenceAhead is not null && fenceAhead.QuarantineId != quarantineId)
        {
            await fenceAhead.AnsweredAsync();
        }

        var owner = new FenceOwner(request.Pod, quarantineId, request.RunStartedAt);
        var fence = await FenceAsync(client, ns, policyName, ciliumName, owner, likelyExists: previousId is not null,
            fenceAhead?.QuarantineId == quarantineId ? fenceAhead : null, cancellationToken);
        var relabel = await RelabelFencedAsync(client, pod, request, quarantineId, cancellationToken);

        // A fence found rather than made here, or a pod that changed under the relabel, may be one that an earlier run's release
        // still under way deletes before the relabel lands: the pod, quarantined and selected by no policy, would be open to
        // all traffic. So the fence is read again once the pod carries the label (a release deleting it later finds the pod
        // quarantined, and puts it back). A fence created here (201) and a relabel at the first try have no such gap.
        var wrote = fence.Wrote | relabel.Changed;
        if (relabel.Changed && (!fence.Created || relabel.MetAChange))
        {
            fence = await FenceAgainAsync(client, ns, policyName, ciliumName, owner, cancellationToken);
            wrote |= fence.Wrote;
        }

        var warnings = new List<IsolationWarning>();
        var verified = QuarantineVerification.Verify(relabel.Pod, fence.Policy, await listing, ciliumName, fence.Cilium, quarantineId, warnings);
        QuarantineVerification.AddEngineWarnings(connection.Facts, ciliumName is not null, warnings);

        logger.LogInformation("Quarantined {Namespace}/{Pod} in {Cluster} with {Policy} (cilium {Cilium}, changed {Changed}, warnings {Warnings})",
            ns, request.Pod, connection.Facts.Alias, policyName, ciliumName is not null, wrote, warnings.Count);
        return new IsolationOutcome
        {
            Status = wrote ? IsolationStatus.Isolated : IsolationStatus.AlreadyIsolated,
            Cluster = connection.Facts.Alias,
            Namespace = ns,
            Pod = request.Pod,
            QuarantineId = quarantineId,
            NetworkPolicyName = policyName,
            CiliumNetworkPolicyName = ciliumName,
            SavedLabels = relabel.Saved,
            Warnings = warnings,
            Ownership = previousId is null ? PodOwnership.Of(pod) : null,
            Verified = verified,
        };
    }

    private IsolationOutcome Refused(ClusterConnection connection, QuarantineRequest request, PreflightFailure refusal)
    {
        logger.LogWarning("Quarantine of {Namespace}/{Pod} refused: {Reason} {Message}", request.Namespace, request.Pod, refusal.Reason, refusal.Message);
        return new IsolationOutcome { Status = IsolationStatus.Refused, Cluster = connection.Facts.Alias, Namespace = request.Namespace, Pod = request.Pod, Refusal = refusal };
    }

    /// <summary>
    /// The labels a quarantine saved, when the pod carries a quarantine; null otherwise. On a pod not quarantined the
    /// annotation is not Containment's: whoever writes the pod's spec can put it there, or copy it from a quarantined
    /// pod, and a release would then give the pod those labels instead of its own.
    /// </summary>
    internal static IReadOnlyDictionary<string, string>? SavedByQuarantine(V1Pod pod) =>
        QuarantineNames.IsQuarantined(pod) ? SavedLabels(pod) : null;

    /// <summary>The labels in the pod's saved-labels annotation; null when it has none.</summary>
    /// <exception cref="KubernetesOperationException">
    /// The annotation is not a JSON object of label values (edited by hand): what the quarantine saved is not known, and
    /// the failure says so as the steps record any other (<see cref="KubernetesFailureReason.Invalid"/>).
    /// </exception>
    internal static IReadOnlyDictionary<string, string>? SavedLabels(V1Pod pod)
    {
        if (pod.Metadata?.Annotations is not { } annotations || !annotations.TryGetValue(QuarantineNames.SavedLabelsAnnotation, out var json))
        {
            return null;
        }

        try
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            return saved is not null && saved.Values.All(value => value is not null) ? saved : throw new JsonException("not an object of label values");
        }
        catch (JsonException e)
        {
            throw new KubernetesOperationException(new KubernetesFailure(KubernetesFailureReason.Invalid,
                $"invalid: pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} carries a {QuarantineNames.SavedLabelsAnnotation} annotation that is not a JSON object of label values, so the labels to give back are not known"), e);
        }
    }

    /// <summary>A failure of <see cref="SavedLabels"/>, met only on a quarantined pod: nothing was written, the pod keeps its quarantine.</summary>
    private static bool IsUnreadableSavedLabels(KubernetesOperationException e) => e.InnerException is JsonException;

    /// <summary>Applies the pod's deny-all policy, and the Cilium one where served, side by side, but for those created ahead.</summary>
    private async Task<Fence> FenceAsync(
        IKubernetes client, string ns, string policyName, string? ciliumName, FenceOwner owner, bool likelyExists, QuarantineFence? ahead, CancellationToken cancellationToken)
    {
        if (ahead is null)
        {
            var (applied, appliedCilium) = await QuarantinePolicyWrites.ApplyFenceAsync(calls, client, ns, policyName, owner, ciliumName is not null, likelyExists, cancellationToken);
            return Fence.Of(applied, appliedCilium);
        }

        var network = AfterCreateAheadAsync(ahead, ahead.Policy, exists => QuarantinePolicyWrites.ApplyNetworkPolicyAsync(calls, client, ns, policyName, owner, exists, cancellationToken), likelyExists, cancellationToken);
        var cilium = ciliumName is null
            ? Task.FromResult(QuarantinePolicyWrites.NoCiliumPolicy)
            : AfterCreateAheadAsync<JsonNode?>(ahead, ahead.Cilium, exists => QuarantinePolicyWrites.ApplyCiliumPolicyAsync(calls, client, ns, ciliumName, owner, exists, cancellationToken), likelyExists, cancellationToken);
        await Task.WhenAll(network, cilium);
        return Fence.Of(await network, await cilium);
    }

    /// <summary>The fence read again after the relabel, and put back where it is missing or changed.</summary>
    private async Task<Fence> FenceAgainAsync(
        IKubernetes client, string ns, string policyName, string? ciliumName, FenceOwner owner, CancellationToken cancellationToken)
    {
        try
        {
            var fence = await FenceAsync(client, ns, policyName, ciliumName, owner, likelyExists: true, ahead: null, cancellationToken);
            if (fence.Wrote)
            {
                logger.LogWarning("The fence of {Namespace}/{Pod} was missing or changed once the pod was relabelled (a release under way, most likely); it was put back", ns, owner.Pod);
            }

            return fence;
        }
        catch (KubernetesOperationException e)
        {
            throw e.WithNote(RelabelledFenceUnknown);
        }
    }

    /// <summary>The pod's quarantine policies as the API server answered their writes or reads (no Cilium one where not served).</summary>
    /// <param name="Wrote">Whether anything was written.</param>
    /// <param name="Created">Whether this call's own creates made them all (201), none found there and taken up.</param>
    private sealed record Fence(V1NetworkPolicy Policy, JsonNode? Cilium, bool Wrote, bool Created)
    {
        public static Fence Of(PolicyApplied<V1NetworkPolicy> policy, PolicyApplied<JsonNode?> cilium) =>
            new(policy.Policy, cilium.Policy, policy.Wrote | cilium.Wrote, policy.Created & cilium.Created);
    }

    /// <summary>
    /// What a read made ahead answered; a read made again where it failed (or there was none), so a read-ahead never
    /// decides an outcome, and what a failure says comes from a read of the isolation's own.
    /// </summary>
    private static async Task<T> AheadOrAgainAsync<T>(Task<T>? ahead, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        if (ahead is not null)
        {
            try
            {
                return await ahead.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Read again below.
            }
        }

        return await read();
    }

    /// <summary>
    /// A create made ahead taken as the isolation's own: made (read and judged when stale, as it may have changed since);
    /// refused for good (the isolation fails as its own create would); or in the way of a policy there already, which is
    /// read and judged. Any other failure (or none made) is as if it had not been made.
    /// </summary>
    private static async Task<PolicyApplied<T>> AfterCreateAheadAsync<T>(
        QuarantineFence fence, Task<T?> ahead, Func<bool, Task<PolicyApplied<T>>> apply, bool likelyExists, CancellationToken cancellationToken)
    {
        try
        {
            if (await ahead.WaitAsync(cancellationToken) is { } created)
            {
                return fence.Stale ? await apply(true) : new(Wrote: true, Created: true, created);
            }
        }
        catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict)
        {
            return await apply(true);
        }
        catch (KubernetesOperationException e) when (e.Failure.Reason is KubernetesFailureReason.Forbidden or KubernetesFailureReason.Unauthorized
            or KubernetesFailureReason.Invalid or KubernetesFailureReason.NotFound)
        {
            throw;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Made again below.
        }

        return await apply(likelyExists);
    }

    /// <summary>Deletes the policies created ahead for a pod that is not to be quarantined, so that a refusal leaves the cluster as it was.</summary>
    private async Task TakeDownAsync(IKubernetes client, string ns, QuarantineFence? ahead, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        if (ahead is null)
        {
            return;
        }

        await ahead.AnsweredAsync();
        if (ahead.Policy.IsCompletedSuccessfully && ahead.Policy.Result?.Metadata.Name is { } policyName)
        {
            await QuarantinePolicyDeletes.DeleteNetworkPolicyAsync(calls, client, ns, policyName, new FenceGuard(runStartedAt), cancellationToken);
        }

        if (ahead.Cilium.IsCompletedSuccessfully && ahead.Cilium.Result?["metadata"]?["name"]?.GetValue<string>() is { } ciliumName)
        {
            await QuarantinePolicyDeletes.DeleteCiliumPolicyAsync(calls, client, ns, ciliumName, new FenceGuard(runStartedAt), cancellationToken);
        }
    }

    private static async Task<T> OnceConnectedAsync<T>(Task<ClusterConnection> connecting, Func<IKubernetes, Task<T>> read) =>
        await read((await connecting).Client);

    // One list read, made beside the pod's read, shows any other policy that selects the quarantined pod. It leaves out
    // the policies Containment manages: each selects only its own pod's quarantine label, and in a storm there is one
    // per isolated pod, which made every isolation read all the others.
    private async Task<IList<V1NetworkPolicy>> ListOtherPoliciesAsync(IKubernetes client, string ns, CancellationToken cancellationToken) =>
        (await calls.ExecuteAsync(new KubernetesOperation("list", "networkpolicies", ns),
            ct => client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: NotManagedHere, cancellationToken: ct), cancellationToken)).Items ?? [];

    /// <summary>The relabel, once the fence is up: a failure says that the fence is up but the pod keeps its labels, lest "failed" be read as "nothing changed".</summary>
    private async Task<Relabelled> RelabelFencedAsync(
        IKubernetes client, V1Pod pod, QuarantineRequest request, string quarantineId, CancellationToken cancellationToken)
    {
        try
        {
            return await RelabelAsync(client, pod, request, quarantineId, cancellationToken);
        }
        catch (KubernetesOperationException e) when (!IsUnreadableSavedLabels(e))
        {
            throw e.WithNote(FencedNotRelabelled);
        }
    }

    /// <param name="Pod">The pod as the API server answered the relabel (or as read, where nothing was written).</param>
    /// <param name="Changed">Whether the pod's labels were replaced by the quarantine label (not only its run named).</param>
    /// <param name="MetAChange">Whether the pod changed since it was first read (a patch answered 409), so it was read again.</param>
    private sealed record Relabelled(V1Pod Pod, IReadOnlyDictionary<string, string> Saved, bool Changed, bool MetAChange);

    // Saves the labels in an annotation and replaces them with the quarantine label in one merge
    // patch carrying the resourceVersion read, so a concurrent label change is not lost; names the run too.
    private async Task<Relabelled> RelabelAsync(
        IKubernetes client, V1Pod pod, QuarantineRequest request, string quarantineId, CancellationToken cancellationToken)
    {
        var ns = request.Namespace;
        for (var attempt = 0; ; attempt++)
        {
            RunStamp.ThrowIfLaterRun(pod, request.RunStartedAt);

            var labels = pod.Metadata.Labels ?? new Dictionary<string, string>();
            var stamp = RunStamp.Of(request.RunStartedAt);
            IReadOnlyDictionary<string, string> saved;
            JsonObject metadata;
            var relabels = true;
            // The annotation is read only on a quarantined pod: on any other it is not Containment's (SavedByQuarantine).
            if (labels.Count == 1 && labels.TryGetValue(QuarantineNames.QuarantineLabel, out var carried) && carried == quarantineId && SavedLabels(pod) is { } alreadySaved)
            {
                if (!RunStamp.IsBehind(pod, request.RunStartedAt))
                {
                    return new Relabelled(pod, alreadySaved, Changed: false, MetAChange: false);
                }

                // Isolated already, by an earlier run: this run names itself, so a release still running for that run stops.
                (saved, relabels) = (alreadySaved, false);
                metadata = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.RunAnnotation] = stamp } };
            }
            else
            {
                // A pod quarantined earlier keeps its first saved labels. A quarantine label without them (put on by
                // hand) is not one of the pod's own: saved, a release would give it back and leave the pod marked.
                saved = SavedByQuarantine(pod) ?? labels.Where(l => l.Key != QuarantineNames.QuarantineLabel).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
                var labelPatch = new JsonObject();
                foreach (var key in labels.Keys.Where(k => k != QuarantineNames.QuarantineLabel))
                {
                    labelPatch[key] = null;
                }

                labelPatch[QuarantineNames.QuarantineLabel] = quarantineId;
                var annotations = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = JsonSerializer.Serialize(saved) };
                if (stamp is not null)
                {
                    annotations[QuarantineNames.RunAnnotation] = stamp;
                }

                metadata = new JsonObject { ["labels"] = labelPatch, ["annotations"] = annotations };
            }

            metadata["resourceVersion"] = pod.Metadata.ResourceVersion;
            try
            {
                var patch = new JsonObject { ["metadata"] = metadata };
                var patched = await calls.ExecuteAsync(new KubernetesOperation("patch", "pods", ns, request.Pod),
                    ct => client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), request.Pod, ns, cancellationToken: ct),
                    cancellationToken);
                return new Relabelled(patched, saved, relabels, MetAChange: attempt > 0);
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < MaxConflictRetries)
            {
                var reread = await calls.ReadPodOrDefaultAsync(client, ns, request.Pod, cancellationToken);
                if (reread is null)
                {
                    throw;
                }

                pod = reread;
            }
        }
    }
}
