using Containment.Clusters;
using k8s;
using k8s.Models;
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

    public IReadOnlyList<string> Checks { get; } = ["the namespace is not protected", "no later run of the pod has isolated it since"];

    public IReadOnlyList<KubernetesPermission> Permissions { get; } = [new("", "pods", ["get", "delete"])];

    /// <param name="runStartedAt">The start of the run that deletes, when known: a pod a later run has isolated since is left as it is (<see cref="RunStamp"/>).</param>
    /// <exception cref="SupersededByLaterRunException">A later run of the pod has isolated it since; nothing was deleted.</exception>
    public async Task<ActionOutcome> DeleteAsync(PodReference target, int? gracePeriodSeconds, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        if (options.Value.IsProtected(target.Namespace))
        {
            var refusal = new PreflightFailure(PreflightFailureReason.NamespaceProtected,
                $"namespace {target.Namespace} is protected: Containment does not delete pods there");
            return new ActionOutcome(Name, false, refusal.Message, target.Pod, refusal);
        }

        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var deleted = await DeleteFencedAsync(connection.Client, target, gracePeriodSeconds, runStartedAt, cancellationToken);
        logger.LogInformation("Delete of pod {Namespace}/{Pod} in {Cluster}: deleted {Deleted}", target.Namespace, target.Pod, connection.Facts.Alias, deleted);
        return deleted
            ? new ActionOutcome(Name, true, $"pod {target.Namespace}/{target.Pod} deleted", target.Pod)
            : new ActionOutcome(Name, false, $"pod {target.Namespace}/{target.Pod} was already gone", target.Pod);
    }

    /// <summary>
    /// Deletes the pod as read, its resourceVersion a precondition: a pod changed since (a later run's isolation, say)
    /// is read and judged again rather than deleted. False when the pod was gone.
    /// </summary>
    private async Task<bool> DeleteFencedAsync(IKubernetes client, PodReference target, int? gracePeriodSeconds, DateTimeOffset? runStartedAt, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await calls.ReadPodOrDefaultAsync(client, target.Namespace, target.Pod, cancellationToken) is not { } pod)
            {
                return false;
            }

            RunStamp.ThrowIfLaterRun(pod, runStartedAt);

            var body = new V1DeleteOptions
            {
                GracePeriodSeconds = gracePeriodSeconds,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid, ResourceVersion = pod.Metadata.ResourceVersion },
            };
            try
            {
                return await calls.ExecuteOrDefaultAsync(new KubernetesOperation("delete", "pods", target.Namespace, target.Pod),
                    ct => client.CoreV1.DeleteNamespacedPodAsync(target.Pod, target.Namespace, body, cancellationToken: ct),
                    cancellationToken) is not null;
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < MaxConflictRetries)
            {
                // Changed since it was read (or gone and made again under its name): read it again.
            }
        }
    }

    private const int MaxConflictRetries = 3;
}
