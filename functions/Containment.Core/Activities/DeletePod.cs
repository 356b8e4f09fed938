using Containment.Clusters;
using Containment.Ledger;
using Containment.Playbooks;
using DeleteAction = Containment.Isolation.Actions.DeletePod.DeletePod;

namespace Containment.Activities;

/// <summary>The <c>deletePod</c> step: deletes the pod so that its controller starts a clean one.</summary>
public sealed class DeletePod(DeleteAction delete, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(DeletePod);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (DeletePodStep)request.Step;
        try
        {
            var outcome = await delete.DeleteAsync(ActivityTargets.Pod(request.Alert.Target), (int?)step.GracePeriod?.TotalSeconds, cancellationToken);
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
        catch (KubernetesOperationException exception)
        {
            return ActivityTargets.Failure(exception);
        }
    }
}
