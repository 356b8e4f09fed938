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
        var now = time.GetUtcNow();
        await events.SetStatusAsync(
            ActivityTargets.EventId(request.Alert),
            step.Status,
            step.Reason,
            ActivityTargets.Actor(request),
            now,
            request.InstanceId,
            cancellationToken,
            missing: ActivityTargets.EventOf(request, now));
        return ActivityResult.Success();
    }
}
