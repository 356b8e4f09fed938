using Containment.Clusters;
using Containment.Ledger;
using UncordonAction = Containment.Isolation.Actions.UncordonNode.UncordonNode;

namespace Containment.Activities;

/// <summary>The <c>uncordonNode</c> step: gives back the node a cordon kept empty for the run's pod.</summary>
public sealed class UncordonNode(UncordonAction uncordon, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(UncordonNode);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await uncordon.UncordonAsync(ActivityTargets.Pod(request.Alert.Target), request.RunStartedAt, cancellationToken);

            // A pod no node was cordoned for leaves no entry: a release by hand asks for every pod, cordoned or not.
            if (outcome.Target is not null)
            {
                await audit.AppendAsync(
                    AuditSubject.Isolation,
                    ActivityTargets.PodAudit(request, AuditAction.NodeUncordoned, time.GetUtcNow(), outcome.Message),
                    cancellationToken);
            }

            return ActivityResult.Success(outcome);
        }
        catch (KubernetesOperationException exception)
        {
            return ActivityTargets.Failure(exception);
        }
    }
}
