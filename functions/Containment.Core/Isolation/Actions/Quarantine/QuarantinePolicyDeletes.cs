using Containment.Clusters;
using k8s;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// Deletes a pod's quarantine policies: for a release, and for a quarantine refused after its fence was made ahead. A
/// policy is deleted by the pod's name, which the pod's next quarantine reuses; given the quarantine it fences, a delete
/// tried again after a try that may have deleted it first reads the policy, and sends no delete unless it is still there
/// and fences that quarantine: the try before deleted this one, and the pod's next isolation may make its own any moment.
/// </summary>
internal static class QuarantinePolicyDeletes
{
    /// <summary>Whether the NetworkPolicy was there to delete.</summary>
    /// <param name="quarantineId">The quarantine the policy fences, when known.</param>
    public static Task<bool> DeleteNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, string? quarantineId, CancellationToken cancellationToken) =>
        calls.DeleteAsync(
            new KubernetesOperation("delete", "networkpolicies", ns, name),
            ct => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct),
            cancellationToken,
            quarantineId is null ? null : async ct =>
                await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "networkpolicies", ns, name),
                    c => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: c), ct) is { } found
                && QuarantineNames.FencedBy(found) == quarantineId);

    /// <summary>Whether the CiliumNetworkPolicy was there to delete.</summary>
    /// <param name="quarantineId">The quarantine the policy fences, when known.</param>
    public static Task<bool> DeleteCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, string? quarantineId, CancellationToken cancellationToken) =>
        calls.DeleteAsync(
            new KubernetesOperation("delete", CiliumNetworkPolicies.Resource, ns, name),
            ct => client.CustomObjects.DeleteNamespacedCustomObjectAsync(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, cancellationToken: ct),
            cancellationToken,
            quarantineId is null ? null : async ct =>
                await QuarantinePolicyWrites.ReadCiliumPolicyAsync(calls, client, ns, name, ct) is { } found
                && QuarantineNames.FencedBy(found) == quarantineId);
}
