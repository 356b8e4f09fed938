using Containment.Alerts;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;

namespace Containment.Intake;

/// <summary>
/// The labels of an alert's pod, for playbook triggers that ask for them. A quarantined pod carries only its quarantine
/// label, so its own are those the quarantine saved.
/// </summary>
public sealed class PodLabelsReader(ClusterRegistry clusters, KubernetesCallPipeline calls)
{
    /// <summary>What a read does: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } = [new("", "pods", ["get"])];

    /// <summary>The pod's own labels; null when the pod does not exist.</summary>
    /// <exception cref="PodLabelsUnreadableException">The cluster did not answer the read (after the call pipeline's retries) or refused it.</exception>
    public async Task<IReadOnlyDictionary<string, string>?> ReadAsync(AlertTarget target, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await clusters.ConnectAsync(target.ClusterName, cancellationToken);
            var pod = await calls.ReadPodOrDefaultAsync(connection.Client, target.Namespace, target.Pod, cancellationToken);
            if (pod is null)
            {
                return null;
            }

            return QuarantinePod.SavedByQuarantine(pod) ?? new Dictionary<string, string>(pod.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        }
        catch (KubernetesOperationException failed)
        {
            throw new PodLabelsUnreadableException(target, failed.Failure, failed);
        }
    }
}
