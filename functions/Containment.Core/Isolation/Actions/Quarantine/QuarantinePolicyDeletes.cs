using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// Deletes a pod's quarantine policies: for a release, and for a quarantine refused after its fence was made ahead. A
/// policy is named after the pod, and the pod's next quarantine takes it up or makes it again under that name, stamping
/// it with its run before it relabels the pod. So each delete reads the policy first, leaves it when a later run stamped
/// it (<see cref="FenceGuard"/>), and is sent with the uid and resourceVersion read as preconditions: a policy taken up or
/// made again since answers 409, and is read and judged again.
/// </summary>
internal static class QuarantinePolicyDeletes
{
    /// <summary>Whether the NetworkPolicy was there to delete (and was not left to a later run).</summary>
    public static Task<bool> DeleteNetworkPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceGuard guard, CancellationToken cancellationToken) =>
        DeleteAsReadAsync(
            calls,
            new KubernetesOperation("delete", "networkpolicies", ns, name),
            async ct => await calls.ExecuteOrDefaultAsync(new KubernetesOperation("get", "networkpolicies", ns, name),
                c => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: c), ct) is { } found
                    ? new PolicyRead(found.Metadata?.Annotations, found.Metadata?.Uid, found.Metadata?.ResourceVersion)
                    : null,
            (options, ct) => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, options, cancellationToken: ct),
            guard,
            cancellationToken);

    /// <summary>Whether the CiliumNetworkPolicy was there to delete (and was not left to a later run).</summary>
    public static Task<bool> DeleteCiliumPolicyAsync(KubernetesCallPipeline calls, IKubernetes client, string ns, string name, FenceGuard guard, CancellationToken cancellationToken) =>
        DeleteAsReadAsync(
            calls,
            new KubernetesOperation("delete", CiliumNetworkPolicies.Resource, ns, name),
            async ct => await QuarantinePolicyWrites.ReadCiliumPolicyAsync(calls, client, ns, name, ct) is { } found
                ? new PolicyRead(QuarantinePolicyWrites.AnnotationsOf(found), Text(found["metadata"]?["uid"]), Text(found["metadata"]?["resourceVersion"]))
                : null,
            (options, ct) => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ns, CiliumNetworkPolicies.Plural, name, options, cancellationToken: ct),
            guard,
            cancellationToken);

    private static async Task<bool> DeleteAsReadAsync<T>(
        KubernetesCallPipeline calls,
        KubernetesOperation operation,
        Func<CancellationToken, Task<PolicyRead?>> read,
        Func<V1DeleteOptions, CancellationToken, Task<T>> delete,
        FenceGuard guard,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await read(cancellationToken) is not { } found || !guard.MayDelete(found.Annotations))
            {
                return false;
            }

            var asRead = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = found.Uid, ResourceVersion = found.ResourceVersion } };
            try
            {
                return await calls.DeleteAsync(operation, ct => delete(asRead, ct), cancellationToken);
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < MaxRereads)
            {
                // Changed since it was read: a later run has taken it up, or made it again under the name.
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private sealed record PolicyRead(IDictionary<string, string>? Annotations, string? Uid, string? ResourceVersion);

    private const int MaxRereads = 3;
}
