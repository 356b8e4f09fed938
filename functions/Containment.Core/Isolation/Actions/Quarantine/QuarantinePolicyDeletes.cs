using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>Deletes a pod's quarantine policies: for a release, and for a quarantine refused after its fence was made ahead.</summary>
internal static class QuarantinePolicyDeletes
{
    /// <summary>Whether the NetworkPolicy was there to delete (and was not left to a later run).</summary>
    public static Task<bool> DeleteNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceGuard guard, CancellationToken cancellationToken) =>
        calls.DeleteAsync(
            new KubernetesOperation("delete", "networkpolicies", ns, name),
            (exactly, ct) => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, Options(exactly), cancellationToken: ct),
            cancellationToken,
            async ct => await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "networkpolicies", ns, name),
                    c => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: c), ct) is { } found
                && guard.MayDelete(found.Metadata?.Annotations)
                    ? new V1Preconditions { Uid = found.Metadata?.Uid, ResourceVersion = found.Metadata?.ResourceVersion }
                    : null,
            guard.ReadFirst);

    /// <summary>Whether the CiliumNetworkPolicy was there to delete (and was not left to a later run).</summary>
    public static Task<bool> DeleteCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceGuard guard, CancellationToken cancellationToken) =>
        calls.DeleteAsync(
            new KubernetesOperation("delete", CiliumNetworkPolicies.Resource, ns, name),
            (exactly, ct) => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, Options(exactly), cancellationToken: ct),
            cancellationToken,
            async ct => await QuarantinePolicyWrites.ReadCiliumPolicyAsync(calls, client, ns, name, ct) is { } found
                && guard.MayDelete(AnnotationsOf(found))
                    ? new V1Preconditions { Uid = (string?)found["metadata"]?["uid"], ResourceVersion = (string?)found["metadata"]?["resourceVersion"] }
                    : null,
            guard.ReadFirst);

    // The read's uid and resourceVersion: the delete takes the policy judged, or nothing.
    private static V1DeleteOptions? Options(V1Preconditions? exactly) => exactly is null ? null : new V1DeleteOptions { Preconditions = exactly };

    private static Dictionary<string, string>? AnnotationsOf(JsonNode policy) =>
        policy["metadata"]?["annotations"] is JsonObject annotations
            ? annotations.Where(pair => pair.Value is JsonValue).ToDictionary(pair => pair.Key, pair => pair.Value!.ToString())
            : null;
}
