using Containment.Ledger;
using Containment.Notifications;
using Containment.Playbooks;

namespace Containment.Activities;

/// <summary>The <c>notify</c> step, one channel per call: sends the template's message; a failed send goes in the audit trail.</summary>
public sealed class Notify(INotificationSender sender, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(Notify);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (NotifyStep)request.Step;
        var channel = request.Channel ?? throw new ArgumentException("a notify call names its channel", nameof(request));
        var extra = new[]
        {
            step.Message,
            request.LastDecision is { } decision ? $"{KebabCaseEnumConverter.ToWireName(decision.Verdict)} by {decision.By}{(decision.Comment is null ? string.Empty : ": " + decision.Comment)}" : null,
            request.FailureReason,
        };
        var result = await sender.SendAsync(
            new NotificationRequest
            {
                Template = step.Template,
                Alert = request.Alert,
                Channels = [channel],
                RunId = request.InstanceId,
                Message = string.Join(" ", extra.Where(text => !string.IsNullOrWhiteSpace(text))) is { Length: > 0 } text ? text : null,
                IsolationWarnings = request.IsolationWarnings,
                PodOwnership = request.PodOwnership,
            },
            cancellationToken);
        var failure = result.Failures.FirstOrDefault();
        if (failure is null)
        {
            // A sent message is part of the run's history (the step's output); the audit trail keeps what needs a person's eye.
            return ActivityResult.Success(new NotificationSent(channel, step.Template, time.GetUtcNow()));
        }

        await audit.AppendAsync(
            AuditSubject.Isolation,
            ActivityTargets.PodAudit(
                request,
                AuditAction.NotificationFailed,
                time.GetUtcNow(),
                failure.Reason ?? $"{KebabCaseEnumConverter.ToWireName(step.Template)} to {channel} failed",
                actor: ActivityTargets.ProductActor),
            cancellationToken);

        // The sender has already retried; a failure here is final for this call.
        return ActivityResult.Failure(failure.Reason ?? $"channel {channel} failed", retryable: false);
    }
}
