using System.Text.Json;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Runs;

namespace Containment.Api;

/// <summary>
/// <c>GET /api/approvals/{token}</c> shows what is asked and decides nothing (mail and chat scanners open
/// links); <c>POST</c> decides, once. The token is checked first (signature, expiry), then the stored
/// request it hashes to, then the approver rule, then that the run still waits for this very decision.
/// </summary>
public sealed class ApprovalsApi(ApprovalTokens tokens, ApprovalStore approvals, IPlaybookRuntime runtime, TimeProvider time)
{
    public async Task<ApiResponse> ShowAsync(ApiRequest request, string token, CancellationToken cancellationToken) =>
        ApprovalPage.Negotiate(request, await ShowPageAsync(request, token, cancellationToken));

    public async Task<ApiResponse> DecideAsync(ApiRequest request, string token, CancellationToken cancellationToken) =>
        ApprovalPage.Negotiate(request, await DecidePageAsync(request, token, cancellationToken));

    private async Task<ApiResponse> ShowPageAsync(ApiRequest request, string token, CancellationToken cancellationToken)
    {
        var (record, _, refusal) = await FindAsync(token, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var identity = ApproverRule.Identity(request.Headers);
        return ApprovalPage.Request(new ApprovalRequestView
        {
            Alert = record!.Alert,
            Message = record.Message,
            OnApprove = "Approving runs the playbook's next steps for this pod (for a release: the pod gets its labels and network back).",
            OnReject = "Rejecting keeps things as they are and runs the playbook's rejection steps.",
            ExpiresAt = record.ExpiresAt,
            SignedInIdentity = identity,
            Verdict = ApproverRule.Check(record.Approvers, identity),
        });
    }

    private async Task<ApiResponse> DecidePageAsync(ApiRequest request, string token, CancellationToken cancellationToken)
    {
        if (ApprovalRequestSite.IsCrossSite(request))
        {
            return ApprovalPage.FromAnotherSite();
        }

        var (record, etag, refusal) = await FindAsync(token, cancellationToken);
        if (refusal is not null)
        {
            if (record?.Decision is { } earlier)
            {
                await ResumeAsync(record, earlier, cancellationToken);
            }

            return refusal;
        }

        if (request.BodyTooLarge)
        {
            return ApiBody.TooLarge(request.MaxBodyBytes);
        }

        var form = ApprovalForm.Parse(request.Body);
        if (form is not { Problem: null, Decision: { } verdict })
        {
            return ApiResponse.Error(400, form.Problem ?? ApprovalForm.MissingDecision);
        }

        var identity = ApproverRule.Identity(request.Headers);
        var rule = ApproverRule.Check(record!.Approvers, identity);
        if (rule != ApproverVerdict.Allowed)
        {
            return ApprovalPage.NotAllowed(rule, identity);
        }

        if (!Awaits(await runtime.GetStatusAsync(record.InstanceId, cancellationToken), record))
        {
            // Someone may have decided on this link since it was read, and the run taken it: that is the answer.
            return (await approvals.GetAsync(record.InstanceId, record.TokenHash, cancellationToken))?.Record.Decision is { } earlier
                ? ApprovalPage.AlreadyUsed(earlier)
                : ApprovalPage.NoLongerAwaited();
        }

        var decision = new ApprovalDecision(verdict, ApproverRule.DecidedBy(identity, form.Name), time.GetUtcNow(), form.Comment);
        var decided = new AuditEntry
        {
            SubjectId = record.InstanceId,
            Action = verdict == ApprovalVerdict.Approved ? AuditAction.Approved : AuditAction.Rejected,
            At = decision.At,
            Actor = decision.By,
            RunInstanceId = record.InstanceId,
            Detail = $"{record.StepId}{(decision.Comment is null ? string.Empty : ": " + decision.Comment)}",
        };
        if (!await approvals.DecideAsync(record, etag, decision, decided, cancellationToken))
        {
            // Someone decided first, or this very decision was stored and its answer lost (the SDK's next try then
            // finds the row changed). Either way the stored decision is raised, which the run takes once.
            var stored = (await approvals.GetAsync(record.InstanceId, record.TokenHash, cancellationToken))?.Record.Decision;
            if (stored is not null)
            {
                await ResumeAsync(record, stored, cancellationToken);
            }

            return stored == decision ? ApprovalPage.Decided(decision) : ApprovalPage.AlreadyUsed(stored);
        }

        await runtime.RaiseEventAsync(record.InstanceId, record.EventName, JsonSerializer.SerializeToElement(decision, ContainmentJson.Options), cancellationToken);
        return ApprovalPage.Decided(decision);
    }

    private async Task<(ApprovalRecord? Record, Azure.ETag ETag, ApiResponse? Refusal)> FindAsync(string token, CancellationToken cancellationToken)
    {
        var check = tokens.Verify(token, time.GetUtcNow());
        if (check.Status == ApprovalTokenStatus.Expired)
        {
            return (null, default, ApprovalPage.Expired());
        }

        if (!check.IsValid)
        {
            return (null, default, ApprovalPage.Invalid());
        }

        var stored = await approvals.GetAsync(check.Claims!.InstanceId, ApprovalTokens.Hash(token), cancellationToken);
        if (stored is not { } found || found.Record.InstanceId != check.Claims.InstanceId || found.Record.StepId != check.Claims.StepId)
        {
            return (null, default, ApprovalPage.Invalid());
        }

        return found.Record.Decision is { } earlier
            ? (found.Record, found.ETag, ApprovalPage.AlreadyUsed(earlier))
            : (found.Record, found.ETag, null);
    }

    /// <summary>
    /// Whether the pod's run waits for this very request. Event names repeat from run to run of a pod (each run's first
    /// release approval is <c>approval-approve-release-1</c>), so the run must also be the one the request was sent
    /// for: a link from a run that has ended, or that another alert's run took the pod from, decides nothing.
    /// </summary>
    private static bool Awaits(RunStatusDocument? status, ApprovalRecord record) =>
        status is not null
        && string.Equals(status.AwaitedEvent, record.EventName, StringComparison.OrdinalIgnoreCase)
        && RunProgress.Of(status).IsStartedBy(record.Alert);

    // A decision is stored before it is raised; a process stopped between the two left the run waiting.
    // The approver's retry raises the stored decision again, and the run takes it once.
    private async Task ResumeAsync(ApprovalRecord record, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        if (Awaits(await runtime.GetStatusAsync(record.InstanceId, cancellationToken), record))
        {
            await runtime.RaiseEventAsync(record.InstanceId, record.EventName, JsonSerializer.SerializeToElement(decision, ContainmentJson.Options), cancellationToken);
        }
    }
}
