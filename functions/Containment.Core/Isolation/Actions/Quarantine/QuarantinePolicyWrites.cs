using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>A quarantine policy as the API server answered its write or its read.</summary>
/// <param name="Wrote">Whether anything was written.</param>
/// <param name="Created">
/// Made by this very call's create, answered 201: nothing was there to take up. A policy found there (read, or in the way
/// of the create) may be one a release still under way is about to delete.
/// </param>
internal readonly record struct PolicyApplied<T>(bool Wrote, bool Created, T Policy);

/// <summary>
/// A pod's quarantine policies, the deny-all NetworkPolicy and the CiliumNetworkPolicy with deny rules, as Containment
/// writes them: created, or made what they should be where they are found otherwise.
/// </summary>
internal static class QuarantinePolicyWrites
{
    /// <summary>Where Cilium's policies are not served: nothing written, and none there to have taken up.</summary>
    public static readonly PolicyApplied<JsonNode?> NoCiliumPolicy = new(Wrote: false, Created: true, null);

    /// <summary>The pod's fence, the NetworkPolicy and (where served) the Cilium policy, applied side by side.</summary>
    public static async Task<(PolicyApplied<V1NetworkPolicy> Policy, PolicyApplied<JsonNode?> Cilium)> ApplyFenceAsync(
        KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceOwner owner, bool servesCilium, bool likelyExists,
        CancellationToken cancellationToken)
    {
        var network = ApplyNetworkPolicyAsync(calls, client, ns, name, owner, likelyExists, cancellationToken);
        var cilium = servesCilium
            ? ApplyCiliumPolicyAsync(calls, client, ns, name, owner, likelyExists, cancellationToken)
            : Task.FromResult(NoCiliumPolicy);
        await Task.WhenAll(network, cilium);
        return (await network, await cilium);
    }

    /// <summary>What it did, and the policy as the API server answered the write or the read.</summary>
    /// <param name="likelyExists">The pod was quarantined already, so the policy is probably there: read before writing, so a repeat writes nothing.</param>
    public static async Task<PolicyApplied<V1NetworkPolicy>> ApplyNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceOwner owner, bool likelyExists, CancellationToken cancellationToken)
    {
        // A new quarantine (the common case) creates without reading: one request; an existing policy answers 409.
        var read = new KubernetesOperation("get", "networkpolicies", ns, name);
        var existing = likelyExists
            ? await calls.ExecuteOrDefaultAsync(read, ct => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct), cancellationToken)
            : null;
        var wrote = false;
        if (existing is null)
        {
            try
            {
                return new(Wrote: true, Created: true, await CreateNetworkPolicyAsync(calls, client, ns, name, owner, cancellationToken));
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict)
            {
                // AlreadyExists: most often this very create, retried after its answer was lost, else left by an
                // earlier try or made by someone else. Go on with what is there; gone again since (a release deleted
                // it), the conflict stands, and the step's next try creates it.
                var found = await calls.ExecuteOrDefaultAsync(read,
                    ct => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct), cancellationToken);
                if (found is null)
                {
                    throw;
                }

                existing = found;
                wrote = true;
            }
        }

        if (IsDenyAll(existing, owner.QuarantineId))
        {
            return new(wrote, Created: false, existing);
        }

        var desired = DenyAllPolicy(ns, name, owner);
        desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        var replaced = await calls.ExecuteAsync(new KubernetesOperation("update", "networkpolicies", ns, name),
            ct => client.NetworkingV1.ReplaceNamespacedNetworkPolicyAsync(desired, name, ns, cancellationToken: ct), cancellationToken);
        return new(Wrote: true, Created: false, replaced);
    }

    public static Task<V1NetworkPolicy> CreateNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceOwner owner, CancellationToken cancellationToken) =>
        calls.ExecuteAsync(new KubernetesOperation("create", "networkpolicies", ns, name),
            ct => client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(DenyAllPolicy(ns, name, owner), ns, cancellationToken: ct), cancellationToken);

    private static V1NetworkPolicy DenyAllPolicy(string ns, string name, FenceOwner owner) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { [QuarantineNames.ManagedByLabel] = QuarantineNames.ManagedByValue },
            Annotations = Annotations(owner),
        },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [QuarantineNames.QuarantineLabel] = owner.QuarantineId } },
            PolicyTypes = ["Ingress", "Egress"],
        },
    };

    /// <summary>The pod the policy fences, and the run that made it where known.</summary>
    private static Dictionary<string, string> Annotations(FenceOwner owner) => RunStamp.Of(owner.RunStartedAt) is { } stamp
        ? new() { [QuarantineNames.PodAnnotation] = owner.Pod, [QuarantineNames.RunAnnotation] = stamp }
        : new() { [QuarantineNames.PodAnnotation] = owner.Pod };

    public static bool IsDenyAll(V1NetworkPolicy policy, string quarantineId)
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

    public static JsonObject CiliumSpec(string quarantineId) => new()
    {
        ["endpointSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [QuarantineNames.QuarantineLabel] = quarantineId } },
        ["ingressDeny"] = new JsonArray(new JsonObject { ["fromEntities"] = new JsonArray("all") }),
        ["egressDeny"] = new JsonArray(new JsonObject { ["toEntities"] = new JsonArray("all") }),
    };

    /// <summary>What it did, and the policy as the API server answered the write or the read; as for the NetworkPolicy.</summary>
    public static async Task<PolicyApplied<JsonNode?>> ApplyCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceOwner owner, bool likelyExists, CancellationToken cancellationToken)
    {
        // A new quarantine creates without reading, as for the NetworkPolicy; an existing policy answers 409.
        var existing = likelyExists ? await ReadCiliumPolicyAsync(calls, client, ns, name, cancellationToken) : null;
        var wrote = false;
        if (existing is null)
        {
            try
            {
                return new(Wrote: true, Created: true, await CreateCiliumPolicyAsync(calls, client, ns, name, owner, cancellationToken));
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict)
            {
                // AlreadyExists, as for the NetworkPolicy: most often a retried create whose first answer was lost.
                var found = await ReadCiliumPolicyAsync(calls, client, ns, name, cancellationToken);
                if (found is null)
                {
                    throw;
                }

                existing = found;
                wrote = true;
            }
        }

        if (JsonNode.DeepEquals(existing["spec"], CiliumSpec(owner.QuarantineId)))
        {
            return new(wrote, Created: false, existing);
        }

        var body = CiliumPolicy(ns, name, owner);
        body["metadata"]!["resourceVersion"] = existing["metadata"]?["resourceVersion"]?.DeepClone();
        var replaced = await calls.ExecuteAsync(new KubernetesOperation("update", CiliumNetworkPolicies.Resource, ns, name),
            ct => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, cancellationToken: ct), cancellationToken);
        return new(Wrote: true, Created: false, JsonSerializer.SerializeToNode(replaced)!);
    }

    public static async Task<JsonNode> CreateCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceOwner owner, CancellationToken cancellationToken)
    {
        var stored = await calls.ExecuteAsync(new KubernetesOperation("create", CiliumNetworkPolicies.Resource, ns, name),
            ct => client.CustomObjects.CreateNamespacedCustomObjectAsync(CiliumPolicy(ns, name, owner), CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, cancellationToken: ct), cancellationToken);
        return JsonSerializer.SerializeToNode(stored)!;
    }

    private static JsonObject CiliumPolicy(string ns, string name, FenceOwner owner) => new()
    {
        ["apiVersion"] = $"{CiliumNetworkPolicies.Group}/{CiliumNetworkPolicies.Version}",
        ["kind"] = "CiliumNetworkPolicy",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { [QuarantineNames.ManagedByLabel] = QuarantineNames.ManagedByValue },
            ["annotations"] = new JsonObject(Annotations(owner).Select(annotation => KeyValuePair.Create(annotation.Key, (JsonNode?)annotation.Value))),
        },
        ["spec"] = CiliumSpec(owner.QuarantineId),
    };

    public static async Task<JsonNode?> ReadCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        var found = await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", CiliumNetworkPolicies.Resource, ns, name),
            ct => client.CustomObjects.GetNamespacedCustomObjectAsync(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, ct), cancellationToken);
        return found is null ? null : JsonSerializer.SerializeToNode(found);
    }
}
