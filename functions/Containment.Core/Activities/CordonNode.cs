using Containment.Clusters;
using Containment.Ledger;
using CordonAction = Containment.Isolation.Actions.CordonNode.CordonNode;

namespace Containment.Activities;

/// <summary>The <c>cordonNode</c> step: keeps new pods off the pod's node.</summary>
public sealed class CordonNode(CordonAction cordon, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(CordonNode);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await cordon.CordonAsync(ActivityTargets.Pod(request.Alert.Target), request.RunStartedAt, cancellationToken);
            if (outcome.Refusal is { } refusal)
            {
                return ActivityResult.Failure(refusal.Message, retryable: false);
            }

            await audit.AppendAsync(
                AuditSubject.Isolation,
                ActivityTargets.PodAudit(request, AuditAction.NodeCordoned, time.GetUtcNow(), outcome.Message),
                cancellationToken);
            return ActivityResult.Success(outcome);
        }
        catch (KubernetesOperationException exception)
        {
            return ActivityTargets.Failure(exception);
        }
    }
}
