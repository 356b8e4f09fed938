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
    public static string StepType => Playbooks.DeletePodStep.TypeName;

    public static IReadOnlyList<string> Checks { get; } =
    [
        "the namespace is not protected",
        "no later run of the pod has isolated it since",
        "a pod the deleting run isolated is still quarantined (not given back since)",
        "the pod deleted is the pod as read (its uid and resourceVersion are preconditions): one changed since is read and judged again",
    ];

    /// <summary>What <see cref="DeletePod"/> does on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } = [new("", "pods", ["get", "delete"])];

    /// <param name="runStartedAt">The start of the run that deletes, when known: a pod a later run has isolated since is left as it is (<see cref="RunStamp"/>).</param>
    /// <param name="isolatedByThisRun">
    /// The deleting run's isolation of the pod stands in the ledger: the pod is deleted only while it carries that run's
    /// quarantine. A pod given back since (by a release whose record has not landed yet, or by hand) is left as it is.
    /// </param>
    /// <exception cref="SupersededByLaterRunException">A later run of the pod has isolated it since; nothing was deleted.</exception>
    public async Task<ActionOutcome> DeleteAsync(
        PodReference target, int? gracePeriodSeconds, DateTimeOffset? runStartedAt, bool isolatedByThisRun, CancellationToken cancellationToken)
    {
        if (options.Value.IsProtected(target.Namespace))
        {
            return Refused(target, new PreflightFailure(PreflightFailureReason.NamespaceProtected,
                $"namespace {target.Namespace} is protected: Containment does not delete pods there"));
        }

        var connection = await clusters.ConnectAsync(target.Cluster, cancellationToken);
        var deleted = await DeleteFencedAsync(connection.Client, target, gracePeriodSeconds, runStartedAt, isolatedByThisRun, cancellationToken);
        logger.LogInformation("Delete of pod {Namespace}/{Pod} in {Cluster}: {Result}", target.Namespace, target.Pod, connection.Facts.Alias, deleted);
        return deleted switch
        {
            DeleteResult.Deleted => new ActionOutcome(StepType, true, $"pod {target.Namespace}/{target.Pod} deleted", target.Pod),
            DeleteResult.Gone => new ActionOutcome(StepType, false, $"pod {target.Namespace}/{target.Pod} was already gone", target.Pod),
            _ => Refused(target, new PreflightFailure(PreflightFailureReason.GivenBackSinceIsolated,
                $"pod {target.Namespace}/{target.Pod} is no longer quarantined, though this run isolated it: it was given back since, so it is not deleted")),
        };
    }

    private static ActionOutcome Refused(PodReference target, PreflightFailure refusal) => new(StepType, false, refusal.Message, target.Pod, refusal);

    /// <summary>
    /// Deletes the pod as read, its resourceVersion a precondition: a pod changed since (a later run's isolation, say)
    /// is read and judged again rather than deleted.
    /// </summary>
    private async Task<DeleteResult> DeleteFencedAsync(
        IKubernetes client, PodReference target, int? gracePeriodSeconds, DateTimeOffset? runStartedAt, bool isolatedByThisRun, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await calls.ReadPodOrDefaultAsync(client, target.Namespace, target.Pod, cancellationToken) is not { } pod)
            {
                return DeleteResult.Gone;
            }

            RunStamp.ThrowIfLaterRun(pod, runStartedAt);
            if (isolatedByThisRun && RunStamp.On(pod) is null)
            {
                return DeleteResult.GivenBack;
            }

            var body = new V1DeleteOptions
            {
                GracePeriodSeconds = gracePeriodSeconds,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid, ResourceVersion = pod.Metadata.ResourceVersion },
            };
            try
            {
                return await calls.DeleteAsync(new KubernetesOperation("delete", "pods", target.Namespace, target.Pod),
                    ct => client.CoreV1.DeleteNamespacedPodAsync(target.Pod, target.Namespace, body, cancellationToken: ct),
                    cancellationToken) ? DeleteResult.Deleted : DeleteResult.Gone;
            }
            catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.Conflict && attempt < MaxConflictRetries)
            {
                // Changed since it was read (or gone and made again under its name): read it again.
            }
        }
    }

    private const int MaxConflictRetries = 3;

    private enum DeleteResult
    {
        Deleted,
        Gone,
        GivenBack,
    }
}
