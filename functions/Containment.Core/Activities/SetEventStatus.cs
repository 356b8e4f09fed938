using Containment.Alerts;
using Containment.Ledger;
using Containment.Playbooks;

namespace Containment.Activities;

/// <summary>The <c>setEventStatus</c> step: sets the processing status of the run's security event, storing the event if its delivery did not.</summary>
public sealed class SetEventStatus(SecurityEventLedger events, TimeProvider time) : IRunActivity
{
    public string Name => nameof(SetEventStatus);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (SetEventStatusStep)request.Step;
        var id = ActivityTargets.EventId(request.Alert);
        var actor = ActivityTargets.Actor(request);
        var now = time.GetUtcNow();
        await events.ChangeAsync(
            id,
            current => current.Status == step.Status ? current : current with { Status = step.Status, StatusReason = step.Reason, ChangedAt = now, ChangedBy = actor },
            (before, _) => [AuditEntry.EventStatusChanged(id, before.Status, step.Status, step.Reason, actor, now, request.InstanceId)],
            cancellationToken,
            missing: ActivityTargets.EventOf(request, now));
        return ActivityResult.Success();
    }
}
