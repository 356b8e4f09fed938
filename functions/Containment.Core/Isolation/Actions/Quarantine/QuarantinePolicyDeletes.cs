using Containment.Clusters;
using k8s;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>Deletes a pod's quarantine policies: for a release, and for a quarantine refused after its fence was made ahead.</summary>
internal static class QuarantinePolicyDeletes
{
    /// <summary>Whether the NetworkPolicy was there to delete.</summary>
    public static Task<bool> DeleteNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, CancellationToken cancellationToken) =>
        calls.DeleteAsync(new KubernetesOperation("delete", "networkpolicies", ns, name),
            ct => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, cancellationToken: ct), cancellationToken);

    /// <summary>Whether the CiliumNetworkPolicy was there to delete.</summary>
    public static Task<bool> DeleteCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, CancellationToken cancellationToken) =>
        calls.DeleteAsync(new KubernetesOperation("delete", CiliumNetworkPolicies.Resource, ns, name),
            ct => client.CustomObjects.DeleteNamespacedCustomObjectAsync(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, cancellationToken: ct),
            cancellationToken);
}
