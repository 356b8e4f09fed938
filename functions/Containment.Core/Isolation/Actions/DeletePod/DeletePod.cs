using Containment.Clusters;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Actions.DeletePod;

/// <summary>Deletes a pod (playbook step <c>deletePod</c>); a pod already gone is not an error.</summary>
public sealed class DeletePod(
    ClusterRegistry clusters,
    KubernetesCallPipeline calls,
    IOptions<ClusterAccessOptions> options,
    ILogger<DeletePod> logger) : IContainmentAction
{
    public string Name => "deletePod";

    public IReadOnlyList<ActionParameter> Parameters { get; } =
    [
        new(nameof(PodReference.Cluster), "cluster alias or AKS resource id"),
        new(nameof(PodReference.Namespace), "the pod's namespace"),
        new(nameof(PodReference.Pod), "the pod's name"),
        new("gracePeriodSeconds", "seconds the pod gets to stop; default the pod's own", Required: false),
    ];

    public IReadOnlyList<string> Checks { get; } = ["the namespace is not protected"];

    public IReadOnlyList<KubernetesPermission> Permissions { get; } = [new("", "pods", ["delete"])];

    public async Task<ActionOutcome> DeleteAsync(PodReference target, int? gracePeriodSeconds, CancellationToken cancellationToken)
    {
        if (options.Value.IsProtected(target.Namespace))
        {
            var refusal = new PreflightFailure(PreflightFailureReason.NamespaceProtected,
                $"namespace {target.Namespace} is protected: Containment does not delete pods there");
            return new ActionOutcome(Name, false, refusal.Message, target.Pod, refusal);
        }

        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var deleted = await calls.ExecuteOrDefaultAsync(new KubernetesOperation("delete", "pods", target.Namespace, target.Pod),
            ct => connection.Client.CoreV1.DeleteNamespacedPodAsync(target.Pod, target.Namespace, gracePeriodSeconds: gracePeriodSeconds, cancellationToken: ct),
            cancellationToken);
        logger.LogInformation("Delete of pod {Namespace}/{Pod} in {Cluster}: deleted {Deleted}", target.Namespace, target.Pod, connection.Facts.Alias, deleted is not null);
        return deleted is null
            ? new ActionOutcome(Name, false, $"pod {target.Namespace}/{target.Pod} was already gone", target.Pod)
            : new ActionOutcome(Name, true, $"pod {target.Namespace}/{target.Pod} deleted", target.Pod);
    }
}
