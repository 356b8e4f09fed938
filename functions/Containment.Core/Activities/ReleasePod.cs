using System.Text.Json;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Ledger;
using LedgerStatus = Containment.Ledger.IsolationStatus;
using ReleaseAction = Containment.Isolation.Actions.Release.ReleasePod;

namespace Containment.Activities;

/// <summary>
/// The <c>release</c> step: gives the pod back exactly as it was, and records who released it. A failure that will
/// be tried again makes the record Releasing and says so in the audit trail; only the last try's failure is Failed.
/// </summary>
public sealed class ReleasePod(ReleaseAction release, IsolationLedger isolations, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(ReleasePod);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var target = request.Alert.Target;
        var id = ActivityTargets.IsolationId(target);
        var actor = ActivityTargets.Actor(request);
        var reason = request.Step is Playbooks.ReleaseStep { Reason: { } given } ? given : "release";

        ReleaseOutcome outcome;
        try
        {
            outcome = await release.ReleaseAsync(ActivityTargets.Pod(target), request.RunStartedAt, cancellationToken);
        }
        catch (SupersededByLaterRunException exception)
        {
            // The pod and its record are the later run's: this call leaves both as they are.
            return ActivityResult.Failure(exception.Message, retryable: false);
        }
        catch (KubernetesOperationException exception) when (ActivityTargets.Failure(exception) is { Retryable: true } failure && request.WillRetry)
        {
            // Partly released, perhaps: Isolated would say less, Failed more than is known before the last try.
            var failedAt = time.GetUtcNow();
            var entry = ActivityTargets.AttemptFailedAudit(request, AuditAction.ReleaseAttemptFailed, failedAt, exception.Failure.Message);
            await SetAsync(
                request,
                id,
                current => current.Status == LedgerStatus.Released
                    ? current
                    : current with { Status = LedgerStatus.Releasing, ChangedBy = actor, ChangedAt = failedAt, Reason = reason, FailureReason = entry.Detail },
                madeBefore: null,
                entry,
                cancellationToken);
            return failure;
        }
        catch (KubernetesOperationException exception)
        {
            var failedAt = time.GetUtcNow();
            await SetAsync(
                request,
                id,
                current => current with { Status = LedgerStatus.Failed, ChangedBy = actor, ChangedAt = failedAt, Reason = reason, FailureReason = exception.Failure.Message },
                madeBefore: current => current.Status == LedgerStatus.Failed,
                ActivityTargets.PodAudit(request, AuditAction.ReleaseFailed, failedAt, exception.Failure.Message),
                cancellationToken);
            return ActivityTargets.Failure(exception);
        }

        var now = time.GetUtcNow();
        var detail = outcome.Status switch
        {
            ReleaseStatus.PodGone => "the pod no longer exists; its quarantine policies were removed",
            ReleaseStatus.NotIsolated => "the pod was not isolated; nothing changed",
            _ => $"labels restored ({outcome.RestoredLabels.Count}), policies deleted: {string.Join(", ", outcome.DeletedPolicies)}",
        };
        await SetAsync(
            request,
            id,
            current => current with { Status = LedgerStatus.Released, ChangedBy = actor, ChangedAt = now, Reason = reason, FailureReason = null, ReleasedAt = now },
            madeBefore: current => current.Status == LedgerStatus.Released,
            ActivityTargets.PodAudit(
                request,
                AuditAction.Released,
                now,
                outcome.Notes.Count == 0 ? detail : $"{detail}; {string.Join("; ", outcome.Notes)}",
                JsonSerializer.SerializeToElement(outcome, ContainmentJson.Options)),
            cancellationToken);
        return ActivityResult.Success(outcome);
    }

    /// <summary>
    /// Changes the pod's isolation record, with the audit entry in the same transaction. Nothing was ever recorded
    /// for the pod: the release still runs, and the entry is kept on its own.
    /// </summary>
    private Task SetAsync(ActivityRequest request, string id, Func<IsolationRecord, IsolationRecord> change, Func<IsolationRecord, bool>? madeBefore, AuditEntry entry, CancellationToken cancellationToken) =>
        IsolationRecordChange.ApplyAsync(isolations, audit, id, ActivityTargets.CallAcrossRuns(request), current => current is null ? null : change(current), madeBefore, entry, likelyNew: false, cancellationToken);
}
