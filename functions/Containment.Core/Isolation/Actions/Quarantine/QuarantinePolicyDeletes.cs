using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>Deletes a pod's quarantine policies: for a release, and for a quarantine refused after its fence was made ahead.</summary>
internal static class QuarantinePolicyDeletes
{
    /// <summary>Whether the NetworkPolicy was there to delete (and was not left to a later run).</summary>
    public static Task<bool> DeleteNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceGuard guard, CancellationToken cancellationToken) =>
        calls.DeleteAsync(
            new KubernetesOperation("delete", "networkpolicies", ns, name),
            ct => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct),
            cancellationToken,
            async ct => await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "networkpolicies", ns, name),
                    c => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: c), ct) is { } found
                && guard.MayDelete(found.Metadata?.Annotations),
            guard.ReadFirst);

    /// <summary>Whether the CiliumNetworkPolicy was there to delete (and was not left to a later run).</summary>
    public static Task<bool> DeleteCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceGuard guard, CancellationToken cancellationToken) =>
        calls.DeleteAsync(
            new KubernetesOperation("delete", CiliumNetworkPolicies.Resource, ns, name),
            ct => client.CustomObjects.DeleteNamespacedCustomObjectAsync(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, cancellationToken: ct),
            cancellationToken,
            async ct => await QuarantinePolicyWrites.ReadCiliumPolicyAsync(calls, client, ns, name, ct) is { } found
                && guard.MayDelete(AnnotationsOf(found)),
            guard.ReadFirst);

    private static Dictionary<string, string>? AnnotationsOf(JsonNode policy) =>
        policy["metadata"]?["annotations"] is JsonObject annotations
            ? annotations.Where(pair => pair.Value is JsonValue).ToDictionary(pair => pair.Key, pair => pair.Value!.ToString())
            : null;
}
