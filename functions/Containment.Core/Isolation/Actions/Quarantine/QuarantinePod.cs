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
    internal const string CiliumGroup = "cilium.io";
    internal const string CiliumVersion = "v2";
    internal const string CiliumPlural = "ciliumnetworkpolicies";
    private const int MaxConflictRetries = 3;
    private const string NotManagedHere = QuarantineNames.ManagedByLabel + "!=" + QuarantineNames.ManagedByValue;

    internal const string FencedNotRelabelled =
        "; the pod was not relabelled, so it is not isolated: its deny-all policy is in place but selects no pod until it is."
        + " Isolate it again once the cause is fixed, or release it to delete the policy";

    public static string StepType => Playbooks.IsolateStep.TypeName;

    public static IReadOnlyList<string> Checks { get; } =
    [
        .. QuarantinePreflight.Checks,
        "no later run of the pod has isolated it since",
        "once relabelled, the pod carries exactly the quarantine label and its deny-all policy selects it",
        "no other NetworkPolicy that selects the pod allows traffic (else the isolation is partial, which fails the step unless allowPartial)",
    ];

    /// <summary>What <see cref="QuarantinePod"/> does on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } =
    [
        new("", "pods", ["get", "patch"]),
        new("networking.k8s.io", "networkpolicies", ["get", "list", "create", "update", "delete"]),
        new(CiliumGroup, CiliumPlural, ["get", "create", "update", "delete"]),
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
        return new QuarantineFence(
            quarantineId,
            WhereEnforcedAsync(connecting, async connection => await CreateNetworkPolicyAsync(connection.Client, ns, name, request.Pod, quarantineId, cancellationToken)),
            WhereEnforcedAsync(connecting, async connection => connection.Facts.ServesCiliumNetworkPolicies
                ? await CreateCiliumPolicyAsync(connection.Client, ns, name, request.Pod, quarantineId, cancellationToken)
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
        var pod = await AheadOrAgainAsync(podAhead, () => calls.ReadPodOrDefaultAsync(client, ns, request.Pod, cancellationToken), cancellationToken);
        if (QuarantinePreflight.Check(ns, request.Pod, pod, connection.Facts, options.Value) is { } refusal)
        {
            await TakeDownAsync(client, ns, fenceAhead, cancellationToken);
            return Refused(connection, request, refusal);
        }

        // A later run has isolated the pod since this run's call began (under Durable Functions, a call goes on after its
        // run is ended): the fence is that run's too, so nothing made ahead is taken down.
        RunStamp.ThrowIfLaterRun(pod!, request.RunStartedAt);

        var policyName = QuarantineNames.PolicyName(request.Pod);
        string? ciliumName = connection.Facts.ServesCiliumNetworkPolicies ? policyName : null;

        // A pod quarantined earlier keeps the quarantine id it carries, and its policies are likely there already.
        string? previousId = null;
        pod!.Metadata.Labels?.TryGetValue(QuarantineNames.QuarantineLabel, out previousId);
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

        var (appliedPolicy, appliedCilium, fenceWrote) = await FenceAsync(client, ns, request.Pod, policyName, ciliumName, quarantineId, likelyExists: previousId is not null,
            fenceAhead?.QuarantineId == quarantineId ? fenceAhead : null, cancellationToken);
        var (relabelledPod, savedLabels, relabelWrote) = await RelabelFencedAsync(client, pod, request, quarantineId, cancellationToken);
        var wrote = fenceWrote | relabelWrote;

        var warnings = new List<IsolationWarning>();
        var verified = Verify(relabelledPod, appliedPolicy, await listing, ciliumName, appliedCilium, quarantineId, warnings);
        AddEngineWarnings(connection.Facts, ciliumName is not null, warnings);

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
            SavedLabels = savedLabels,
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

    internal static IReadOnlyDictionary<string, string>? SavedLabels(V1Pod pod) =>
        pod.Metadata?.Annotations?.TryGetValue(QuarantineNames.SavedLabelsAnnotation, out var json) == true
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json)
            : null;

    /// <summary>Applies the pod's deny-all policy, and the Cilium one where served, side by side, but for those created ahead.</summary>
    /// <returns>The policies as the API server answered their writes or reads (no Cilium one where not served), and whether anything was written.</returns>
    private async Task<(V1NetworkPolicy Policy, JsonNode? Cilium, bool Wrote)> FenceAsync(
        IKubernetes client, string ns, string pod, string policyName, string? ciliumName, string quarantineId, bool likelyExists, QuarantineFence? ahead, CancellationToken cancellationToken)
    {
        var network = ahead is null
            ? ApplyNetworkPolicyAsync(client, ns, policyName, pod, quarantineId, likelyExists, cancellationToken)
            : AfterCreateAheadAsync(ahead, ahead.Policy, exists => ApplyNetworkPolicyAsync(client, ns, policyName, pod, quarantineId, exists, cancellationToken), likelyExists, cancellationToken);
        var cilium = ciliumName is null
            ? Task.FromResult<(bool Wrote, JsonNode? Policy)>((false, null))
            : ahead is null
                ? ApplyCiliumPolicyAsync(client, ns, ciliumName, pod, quarantineId, likelyExists, cancellationToken)
                : AfterCreateAheadAsync<JsonNode?>(ahead, ahead.Cilium, exists => ApplyCiliumPolicyAsync(client, ns, ciliumName, pod, quarantineId, exists, cancellationToken), likelyExists, cancellationToken);
        await Task.WhenAll(network, cilium);
        var (policyWritten, appliedPolicy) = await network;
        var (ciliumWritten, appliedCilium) = await cilium;
        return (appliedPolicy, appliedCilium, policyWritten | ciliumWritten);
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
    private static async Task<(bool Wrote, T Policy)> AfterCreateAheadAsync<T>(
        QuarantineFence fence, Task<T?> ahead, Func<bool, Task<(bool Wrote, T Policy)>> apply, bool likelyExists, CancellationToken cancellationToken)
    {
        try
        {
            if (await ahead.WaitAsync(cancellationToken) is { } created)
            {
                return fence.Stale ? await apply(true) : (true, created);
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
    private async Task TakeDownAsync(IKubernetes client, string ns, QuarantineFence? ahead, CancellationToken cancellationToken)
    {
        if (ahead is null)
        {
            return;
        }

        await ahead.AnsweredAsync();
        if (ahead.Policy.IsCompletedSuccessfully && ahead.Policy.Result?.Metadata.Name is { } policyName)
        {
            await QuarantinePolicyDeletes.DeleteNetworkPolicyAsync(calls, client, ns, policyName, cancellationToken);
        }

        if (ahead.Cilium.IsCompletedSuccessfully && ahead.Cilium.Result?["metadata"]?["name"]?.GetValue<string>() is { } ciliumName)
        {
            await QuarantinePolicyDeletes.DeleteCiliumPolicyAsync(calls, client, ns, ciliumName, cancellationToken);
        }
    }

    private static async Task<T> OnceConnectedAsync<T>(Task<ClusterConnection> connecting, Func<IKubernetes, Task<T>> read) =>
        await read((await connecting).Client);

    private async Task<IList<V1NetworkPolicy>> ListOtherPoliciesAsync(IKubernetes client, string ns, CancellationToken cancellationToken) =>
        (await calls.ExecuteAsync(new KubernetesOperation("list", "networkpolicies", ns),
            ct => client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: NotManagedHere, cancellationToken: ct), cancellationToken)).Items ?? [];

    /// <summary>The relabel, once the fence is up: a failure says that the fence is up but the pod keeps its labels, lest "failed" be read as "nothing changed".</summary>
    private async Task<(V1Pod Pod, IReadOnlyDictionary<string, string> Saved, bool Changed)> RelabelFencedAsync(
        IKubernetes client, V1Pod pod, QuarantineRequest request, string quarantineId, CancellationToken cancellationToken)
    {
        try
        {
            return await RelabelAsync(client, pod, request, quarantineId, cancellationToken);
        }
        catch (KubernetesOperationException e)
        {
            throw e.WithNote(FencedNotRelabelled);
        }
    }

    // Saves the labels in an annotation and replaces them with the quarantine label in one merge
    // patch carrying the resourceVersion read, so a concurrent label change is not lost; names the run too.
    private async Task<(V1Pod Pod, IReadOnlyDictionary<string, string> Saved, bool Changed)> RelabelAsync(
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
            if (SavedLabels(pod) is { } alreadySaved && labels.Count == 1 && labels.TryGetValue(QuarantineNames.QuarantineLabel, out var carried) && carried == quarantineId)
            {
                if (!RunStamp.IsBehind(pod, request.RunStartedAt))
                {
                    return (pod, alreadySaved, false);
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
                return (await calls.ExecuteAsync(new KubernetesOperation("patch", "pods", ns, request.Pod),
                    ct => client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), request.Pod, ns, cancellationToken: ct),
                    cancellationToken), saved, relabels);
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

    /// <summary>Whether it wrote, and the policy as the API server answered the write or the read.</summary>
    /// <param name="likelyExists">The pod was quarantined already, so the policy is probably there: read before writing, so a repeat writes nothing.</param>
    private async Task<(bool Wrote, V1NetworkPolicy Policy)> ApplyNetworkPolicyAsync(IKubernetes client, string ns, string name, string pod, string quarantineId, bool likelyExists, CancellationToken cancellationToken)
    {
        // A new quarantine (the common case) creates without reading: one request; an existing policy answers 409.
        var read = new KubernetesOperation("get", "networkpolicies", ns, name);
        var existing = likelyExists
            ? await calls.ExecuteOrDefaultAsync(read, ct => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct), cancellationToken)
            : null;
        var created = false;
        if (existing is null)
        {
            try
            {
                return (true, await CreateNetworkPolicyAsync(client, ns, name, pod, quarantineId, cancellationToken));
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict)
            {
                // AlreadyExists: most often this very create, retried after its answer was lost, else left by an
                // earlier try or made by someone else. Go on with what is there.
                existing = await calls.ExecuteAsync(read,
                    ct => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct), cancellationToken);
                created = true;
            }
        }

        if (IsDenyAll(existing, quarantineId))
        {
            return (created, existing);
        }

        var desired = DenyAllPolicy(ns, name, pod, quarantineId);
        desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        var replaced = await calls.ExecuteAsync(new KubernetesOperation("update", "networkpolicies", ns, name),
            ct => client.NetworkingV1.ReplaceNamespacedNetworkPolicyAsync(desired, name, ns, cancellationToken: ct), cancellationToken);
        return (true, replaced);
    }

    private Task<V1NetworkPolicy> CreateNetworkPolicyAsync(IKubernetes client, string ns, string name, string pod, string quarantineId, CancellationToken cancellationToken) =>
        calls.ExecuteAsync(new KubernetesOperation("create", "networkpolicies", ns, name),
            ct => client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(DenyAllPolicy(ns, name, pod, quarantineId), ns, cancellationToken: ct), cancellationToken);

    private static V1NetworkPolicy DenyAllPolicy(string ns, string name, string pod, string quarantineId) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { [QuarantineNames.ManagedByLabel] = QuarantineNames.ManagedByValue },
            Annotations = new Dictionary<string, string> { [QuarantineNames.PodAnnotation] = pod },
        },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [QuarantineNames.QuarantineLabel] = quarantineId } },
            PolicyTypes = ["Ingress", "Egress"],
        },
    };

    internal static bool IsDenyAll(V1NetworkPolicy policy, string quarantineId)
    {
        var spec = policy.Spec;
        var selector = spec?.PodSelector;
        return spec is not null
            && selector?.MatchLabels is { Count: 1 } labels
            && labels.TryGetValue(QuarantineNames.QuarantineLabel, out var value) && value == quarantineId
            && (selector.MatchExpressions?.Count ?? 0) == 0
            && spec.PolicyTypes?.Contains("Ingress") == true && spec.PolicyTypes.Contains("Egress")
            && (spec.Ingress?.Count ?? 0) == 0 && (spec.Egress?.Count ?? 0) == 0
            && policy.Metadata?.Labels?.TryGetValue(QuarantineNames.ManagedByLabel, out var managedBy) == true && managedBy == QuarantineNames.ManagedByValue;
    }

    internal static JsonObject CiliumSpec(string quarantineId) => new()
    {
        ["endpointSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [QuarantineNames.QuarantineLabel] = quarantineId } },
        ["ingressDeny"] = new JsonArray(new JsonObject { ["fromEntities"] = new JsonArray("all") }),
        ["egressDeny"] = new JsonArray(new JsonObject { ["toEntities"] = new JsonArray("all") }),
    };

    /// <summary>Whether it wrote, and the policy as the API server answered the write or the read; as for the NetworkPolicy.</summary>
    private async Task<(bool Wrote, JsonNode? Policy)> ApplyCiliumPolicyAsync(IKubernetes client, string ns, string name, string pod, string quarantineId, bool likelyExists, CancellationToken cancellationToken)
    {
        // A new quarantine creates without reading, as for the NetworkPolicy; an existing policy answers 409.
        var existing = likelyExists ? await ReadCiliumPolicyAsync(client, ns, name, cancellationToken) : null;
        var created = false;
        if (existing is null)
        {
            try
            {
                return (true, await CreateCiliumPolicyAsync(client, ns, name, pod, quarantineId, cancellationToken));
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict)
            {
                // AlreadyExists, as for the NetworkPolicy: most often a retried create whose first answer was lost.
                var found = await ReadCiliumPolicyAsync(client, ns, name, cancellationToken);
                if (found is null)
                {
                    throw;
                }

                existing = found;
                created = true;
            }
        }

        if (JsonNode.DeepEquals(existing["spec"], CiliumSpec(quarantineId)))
        {
            return (created, existing);
        }

        var body = CiliumPolicy(ns, name, pod, quarantineId);
        body["metadata"]!["resourceVersion"] = existing["metadata"]?["resourceVersion"]?.DeepClone();
        var replaced = await calls.ExecuteAsync(new KubernetesOperation("update", "ciliumnetworkpolicies.cilium.io", ns, name),
            ct => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, CiliumGroup, CiliumVersion, ns, CiliumPlural, name, cancellationToken: ct), cancellationToken);
        return (true, JsonSerializer.SerializeToNode(replaced)!);
    }

    private async Task<JsonNode> CreateCiliumPolicyAsync(IKubernetes client, string ns, string name, string pod, string quarantineId, CancellationToken cancellationToken)
    {
        var stored = await calls.ExecuteAsync(new KubernetesOperation("create", "ciliumnetworkpolicies.cilium.io", ns, name),
            ct => client.CustomObjects.CreateNamespacedCustomObjectAsync(CiliumPolicy(ns, name, pod, quarantineId), CiliumGroup, CiliumVersion, ns, CiliumPlural, cancellationToken: ct), cancellationToken);
        return JsonSerializer.SerializeToNode(stored)!;
    }

    private static JsonObject CiliumPolicy(string ns, string name, string pod, string quarantineId) => new()
    {
        ["apiVersion"] = $"{CiliumGroup}/{CiliumVersion}",
        ["kind"] = "CiliumNetworkPolicy",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { [QuarantineNames.ManagedByLabel] = QuarantineNames.ManagedByValue },
            ["annotations"] = new JsonObject { [QuarantineNames.PodAnnotation] = pod },
        },
        ["spec"] = CiliumSpec(quarantineId),
    };

    private async Task<JsonNode?> ReadCiliumPolicyAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        var found = await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "ciliumnetworkpolicies.cilium.io", ns, name),
            ct => client.CustomObjects.GetNamespacedCustomObjectAsync(CiliumGroup, CiliumVersion, ns, CiliumPlural, name, ct), cancellationToken);
        return found is null ? null : JsonSerializer.SerializeToNode(found);
    }

    // The pod and the quarantine policies are checked in the API server's answers to their writes (or reads);
    // one list read, made beside the pod's read, shows any other policy that selects the quarantined pod. The list leaves
    // out the policies Containment manages: each selects only its own pod's quarantine label, and in a storm
    // there is one per isolated pod, which made every isolation read all the others.
    private static bool Verify(V1Pod pod, V1NetworkPolicy policy, IList<V1NetworkPolicy> otherPolicies, string? ciliumName, JsonNode? cilium, string quarantineId,
        List<IsolationWarning> warnings)
    {
        var policyName = policy.Metadata.Name;
        var ns = pod.Metadata.NamespaceProperty;
        var labels = pod.Metadata?.Labels;
        var podOk = labels is { Count: 1 } && labels.TryGetValue(QuarantineNames.QuarantineLabel, out var v) && v == quarantineId;
        if (!podOk)
        {
            warnings.Add(new IsolationWarning(IsolationWarningKind.VerificationFailed,
                $"pod {ns}/{pod.Metadata?.Name} does not carry exactly the quarantine label after relabelling"));
        }

        var policyOk = IsDenyAll(policy, quarantineId);
        if (!policyOk)
        {
            warnings.Add(new IsolationWarning(IsolationWarningKind.VerificationFailed, $"NetworkPolicy {policyName} is missing or not deny-all after apply", policyName));
        }

        ReportOtherPolicies(otherPolicies, policyName, quarantineId, warnings);

        var ciliumOk = true;
        if (ciliumName is not null)
        {
            ciliumOk = cilium is not null && JsonNode.DeepEquals(cilium["spec"], CiliumSpec(quarantineId));
            if (!ciliumOk)
            {
                warnings.Add(new IsolationWarning(IsolationWarningKind.VerificationFailed, $"CiliumNetworkPolicy {ciliumName} is missing or changed after apply", ciliumName));
            }
        }

        return podOk && policyOk && ciliumOk;
    }

    // NetworkPolicies only add allows: another policy selecting the quarantine label weakens the deny-all when it
    // allows traffic. One that allows nothing (a namespace's default deny) changes nothing and is not reported.
    private static void ReportOtherPolicies(IEnumerable<V1NetworkPolicy> policies, string policyName, string quarantineId, List<IsolationWarning> warnings)
    {
        var quarantineLabels = new Dictionary<string, string> { [QuarantineNames.QuarantineLabel] = quarantineId };
        foreach (var policy in policies)
        {
            var name = policy.Metadata.Name;
            if (name == policyName || !LabelSelectorMatcher.Matches(policy.Spec?.PodSelector, quarantineLabels) || !NetworkPolicyRules.AllowsTraffic(policy.Spec))
            {
                continue;
            }

            var empty = policy.Spec?.PodSelector?.MatchLabels is not { Count: > 0 } && policy.Spec?.PodSelector?.MatchExpressions is not { Count: > 0 };
            warnings.Add(new IsolationWarning(IsolationWarningKind.OtherPolicySelectsPod,
                $"NetworkPolicy {name} {(empty ? "has an empty podSelector and selects every pod, including the quarantined one" : "selects the quarantined pod")}"
                + "; it allows traffic, which the deny-all policy does not override",
                name));
        }
    }

    private static void AddEngineWarnings(ClusterFacts facts, bool ciliumApplied, List<IsolationWarning> warnings)
    {
        switch (facts.Engine)
        {
            case NetworkPolicyEngine.Calico:
                warnings.Add(new IsolationWarning(IsolationWarningKind.EstablishedConnectionsKept,
                    "Calico keeps connections established before the policy; restart or delete the pod to cut them"));
                break;
            case NetworkPolicyEngine.Azure:
                warnings.Add(new IsolationWarning(IsolationWarningKind.EstablishedConnectionsUnknown,
                    "Azure Network Policy Manager: whether established connections survive is not documented; treat them as kept"));
                break;
            case NetworkPolicyEngine.Unknown:
                warnings.Add(new IsolationWarning(IsolationWarningKind.EngineUnknown,
                    "the network policy engine is not known (set Containment:Clusters:<alias>:NetworkPolicyEngine): enforcement and established connections are unconfirmed"));
                break;
            case NetworkPolicyEngine.Cilium:
                // Cilium checks every packet against policy; nothing to warn about connections.
                break;
        }

        if (ciliumApplied && facts.Engine != NetworkPolicyEngine.Cilium)
        {
            warnings.Add(new IsolationWarning(IsolationWarningKind.CiliumPolicyBestEffort,
                "a CiliumNetworkPolicy was applied because the cluster serves the CRD; it is enforced only where Cilium runs the policy engine"));
        }
    }
}
