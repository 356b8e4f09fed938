using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// When a delete of a pod's quarantine policy reads the policy first, and which it then leaves: a policy is deleted by
/// the pod's name, which the pod's next quarantine reuses, so a delete that may meet a later run's fence (tried again
/// after a try that may have deleted the policy, or made without knowing the pod's quarantine) reads the policy, and
/// sends no delete when it is gone or a later run than <see cref="RunStartedAt"/> made it.
/// </summary>
/// <param name="RunStartedAt">The start of the run that deletes; null when not known (the policy is then judged by being there alone).</param>
/// <param name="ReadFirst">Whether the first delete is guarded too, not only one tried again.</param>
internal sealed record FenceGuard(DateTimeOffset? RunStartedAt, bool ReadFirst = false)
{
    /// <summary>Whether a policy with these annotations may be deleted: no later run than the deleting one made it.</summary>
    public bool MayDelete(IDictionary<string, string>? annotations) =>
        RunStartedAt is not { } ours || RunStamp.In(annotations) is not { } madeBy || madeBy <= ours;
}

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
