using Containment.Clusters;
using Containment.Isolation;
using Containment.Ledger;
using Containment.Playbooks;
using DeleteAction = Containment.Isolation.Actions.DeletePod.DeletePod;

namespace Containment.Activities;

/// <summary>
/// The <c>deletePod</c> step: deletes the pod so that its controller starts a clean one. A call of a run that has ended
/// deletes nothing once a later run of the pod has isolated or released it (by the pod, or by its isolation record), and
/// a pod the run isolated is deleted only while it is still quarantined.
/// </summary>
public sealed class DeletePod(DeleteAction delete, IsolationLedger isolations, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(DeletePod);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (DeletePodStep)request.Step;
        var target = request.Alert.Target;
        try
        {
            // Deleting cannot be undone, so the record is read first (one read, for a step few playbooks take).
            var record = request.RunStartedAt is null ? null : await isolations.GetAsync(ActivityTargets.IsolationId(target), cancellationToken);
            if (IsolationRecordChange.Superseding(record, request.RunStartedAt) is { } superseded)
            {
                throw superseded;
            }

            // A release writes its record once the pod is restored: a pod this run isolated that has been given back is
            // not deleted, though the record still names this run's isolation.
            var isolatedByThisRun = record is { Status: Ledger.IsolationStatus.Isolated } && record.ChangedByRunStartedAt == request.RunStartedAt;
            var outcome = await delete.DeleteAsync(ActivityTargets.Pod(target), (int?)step.GracePeriod?.TotalSeconds, request.RunStartedAt, isolatedByThisRun, cancellationToken);
            if (outcome.Refusal is { } refusal)
            {
                return ActivityResult.Failure(refusal.Message, retryable: false);
            }

            await audit.AppendAsync(
                AuditSubject.Isolation,
                ActivityTargets.PodAudit(request, AuditAction.PodDeleted, time.GetUtcNow(), outcome.Message),
                cancellationToken);
            return ActivityResult.Success(outcome);
        }
        catch (SupersededByLaterRunException exception)
        {
            return ActivityResult.Failure(exception.Message, retryable: false);
        }
        catch (KubernetesOperationException exception)
        {
            return ActivityTargets.Failure(exception);
        }
    }
}
