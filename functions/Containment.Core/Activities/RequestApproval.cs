using Containment.Approvals;
using Containment.Ledger;
using Containment.Notifications;
using Containment.Playbooks;
using Containment.Runs.Machine;
using Microsoft.Extensions.Options;

namespace Containment.Activities;

/// <summary>
/// The <c>approval</c> step's request: issues a signed link bound to the run, the step and this wait,
/// stores the request under the link's hash, and sends the link to the step's channels.
/// </summary>
public sealed class RequestApproval(ApprovalTokens tokens, ApprovalStore approvals, INotificationSender sender, AuditTrail audit, IOptions<ApprovalOptions> options, TimeProvider time) : IRunActivity
{
    public string Name => nameof(RequestApproval);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (ApprovalStep)request.Step;
        var eventName = request.EventName ?? throw new ArgumentException("an approval request names its event", nameof(request));
        var expiresAt = request.Deadline ?? throw new ArgumentException("an approval request has a deadline", nameof(request));
        var round = PlaybookMachine.TryReadApprovalEvent(eventName, out _, out var read) ? read : throw new ArgumentException($"'{eventName}' is not an approval wait's event", nameof(request));
        // The deadline is the wait's, kept with the call, so a call made again issues the same link: its request is
        // stored once, and the link is sent again, since the first message may not have gone out.
        var token = tokens.Issue(request.InstanceId, step.Id, round, expiresAt, ActivityTargets.EventId(request.Alert));

        // Stored before the link goes out, so that the link works the moment it arrives.
        await approvals.AddAsync(
            new ApprovalRecord
            {
                TokenHash = ApprovalTokens.Hash(token),
                InstanceId = request.InstanceId,
                StepId = step.Id,
                EventName = eventName,
                ExpiresAt = expiresAt,
                Alert = request.Alert,
                Message = step.Message,
                Approvers = step.Approvers,
            },
            ActivityTargets.PodAudit(request, AuditAction.ApprovalRequested, time.GetUtcNow(), $"{step.Id}: link for {string.Join(", ", step.Channels)}; expires {expiresAt:u}", actor: ActivityTargets.ProductActor),
            cancellationToken);

        var link = new Uri(options.Value.BaseUrl ?? new Uri("http://127.0.0.1:7071"), $"/api/approvals/{token}");
        var result = await sender.SendAsync(
            new NotificationRequest
            {
                Template = NotificationTemplate.ApprovalRequested,
                Alert = request.Alert,
                Channels = step.Channels,
                RunId = request.InstanceId,
                Message = step.Message,
                IsolationWarnings = request.IsolationWarnings,
                ApproveUrl = link,
                RejectUrl = link,
            },
            cancellationToken);
        var sent = result.Channels.Where(channel => channel.Status == ChannelSendStatus.Sent).Select(channel => channel.Channel).ToList();
        if (result.Failures.Any())
        {
            var reasons = string.Join("; ", result.Failures.Select(failure => failure.Reason));
            await audit.AppendAsync(AuditSubject.Isolation, ActivityTargets.PodAudit(request, AuditAction.NotificationFailed, time.GetUtcNow(), $"{step.Id}: the approval link did not reach {reasons}", actor: ActivityTargets.ProductActor), cancellationToken);
        }

        // One channel that reached a person is enough for the request to stand.
        return sent.Count > 0
            ? ActivityResult.Success(new ApprovalLinkSent(sent, expiresAt))
            : ActivityResult.Failure($"the approval request reached no channel: {string.Join("; ", result.Failures.Select(failure => failure.Reason))}", retryable: false);
    }
}
