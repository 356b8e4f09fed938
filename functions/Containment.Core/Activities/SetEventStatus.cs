using Containment.Alerts;
using Containment.Ledger;
using Containment.Playbooks;

namespace Containment.Activities;

/// <summary>The <c>setEventStatus</c> step: sets the processing status of the run's security event.</summary>
public sealed class SetEventStatus(SecurityEventLedger events, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(SetEventStatus);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (SetEventStatusStep)request.Step;
        var id = ActivityTargets.EventId(request.Alert);
        var actor = ActivityTargets.Actor(request);
        var now = time.GetUtcNow();
        var previous = (EventStatus?)null;
        var record = await events.ChangeAsync(
            id,
            current =>
            {
                previous = current.Status;
                return current.Status == step.Status ? current : current with { Status = step.Status, StatusReason = step.Reason, ChangedAt = now, ChangedBy = actor };
            },
            cancellationToken);
        if (record is null)
        {
            return ActivityResult.Failure($"security event {id} is not in the ledger", retryable: false);
        }

        if (previous != step.Status)
        {
            await audit.AppendAsync(
                new AuditEntry
                {
                    SubjectId = id,
                    Action = AuditAction.EventStatusChanged,
                    At = now,
                    Actor = actor,
                    RunInstanceId = request.InstanceId,
                    Detail = $"{KebabCaseEnumConverter.ToWireName(previous!.Value)} → {KebabCaseEnumConverter.ToWireName(step.Status)}{(step.Reason is null ? string.Empty : ": " + step.Reason)}",
                },
                cancellationToken);
        }

        return ActivityResult.Success();
    }
}
