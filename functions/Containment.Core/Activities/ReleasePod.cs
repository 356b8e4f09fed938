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
/// A call of a run that has ended leaves the pod and its record to a later run of the pod.
/// </summary>
public sealed class ReleasePod(ReleaseAction release, IsolationLedger isolations, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(ReleasePod);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var (outcome, failure) = await ReleaseOnceAsync(request, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            if (!await RecordReleasedAsync(request, outcome!, firstLook: null, cancellationToken))
            {
                // The pod was not quarantined when it was read, yet the record says Isolated: an isolation may have
                // landed since (a step of an ended run goes on under Durable Functions). One more look decides.
                var firstLook = outcome;
                (outcome, failure) = await ReleaseOnceAsync(request, cancellationToken);
                if (failure is not null)
                {
                    return failure;
                }

                await RecordReleasedAsync(request, outcome!, firstLook, cancellationToken);
            }

            return ActivityResult.Success(outcome);
        }
        catch (SupersededByLaterRunException exception)
        {
            // The pod or its record is a later run's: this call leaves both as they are.
            return ActivityResult.Failure(exception.Message, retryable: false);
        }
    }

    /// <summary>The release on the cluster; a failure is recorded (Releasing while another try follows, else Failed) and answered.</summary>
    private async Task<(ReleaseOutcome? Outcome, ActivityResult? Failure)> ReleaseOnceAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var target = request.Alert.Target;
        var id = ActivityTargets.IsolationId(target);
        var actor = ActivityTargets.Actor(request);
        var reason = ReasonOf(request);
        try
        {
            return (await release.ReleaseAsync(ActivityTargets.Pod(target), request.RunStartedAt, cancellationToken), null);
        }
        catch (KubernetesOperationException exception) when (ActivityTargets.Failure(exception) is { Retryable: true } failure && request.WillRetry)
        {
            // Partly released, perhaps: Isolated would say less, Failed more than is known before the last try.
            var failedAt = time.GetUtcNow();
            var entry = ActivityTargets.AttemptFailedAudit(request, AuditAction.ReleaseAttemptFailed, failedAt, exception.Failure.Message);
            await RecordFailureAsync(
                request,
                id,
                current => current.Status == LedgerStatus.Released
                    ? current
                    : current with { Status = LedgerStatus.Releasing, ChangedBy = actor, ChangedAt = failedAt, Reason = reason, FailureReason = entry.Detail },
                madeBefore: null,
                entry,
                cancellationToken);
            return (null, failure);
        }
        catch (KubernetesOperationException exception)
        {
            var failedAt = time.GetUtcNow();
            await RecordFailureAsync(
                request,
                id,
                current => current with { Status = LedgerStatus.Failed, ChangedBy = actor, ChangedAt = failedAt, Reason = reason, FailureReason = exception.Failure.Message },
                madeBefore: current => current.Status == LedgerStatus.Failed,
                ActivityTargets.PodAudit(request, AuditAction.ReleaseFailed, failedAt, exception.Failure.Message),
                cancellationToken);
            return (null, ActivityTargets.Failure(exception));
        }
    }

    /// <summary>
    /// Records a failed try. Where a later run has changed the record since, the record stays that run's and the entry is
    /// kept on its own: what the cluster said (that this release deleted the later run's fence and could not put it back,
    /// say) is still the step's answer, and the audit trail keeps it.
    /// </summary>
    private async Task RecordFailureAsync(
        ActivityRequest request, string id, Func<IsolationRecord, IsolationRecord> change, Func<IsolationRecord, bool>? madeBefore, AuditEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await SetAsync(request, id, change, madeBefore, entry, cancellationToken);
        }
        catch (SupersededByLaterRunException)
        {
            await audit.AppendAsync(AuditSubject.Isolation, entry, cancellationToken);
        }
    }

    /// <summary>
    /// Records the release; false, with nothing written, when the release gave back no labels and the record says
    /// Isolated (unless this is the second look, which records what it and the first found).
    /// </summary>
    private async Task<bool> RecordReleasedAsync(ActivityRequest request, ReleaseOutcome outcome, ReleaseOutcome? firstLook, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var actor = ActivityTargets.Actor(request);
        var reason = ReasonOf(request);
        var unquarantined = outcome.RestoredLabels.Count == 0 && outcome.Status != ReleaseStatus.PodGone;
        var detail = outcome.Status switch
        {
            ReleaseStatus.PodGone => "the pod no longer exists; its quarantine policies were removed",
            ReleaseStatus.NotIsolated => "the pod was not isolated; nothing changed",
            _ => $"labels restored ({outcome.RestoredLabels.Count}), policies deleted: {string.Join(", ", outcome.DeletedPolicies)}",
        };
        try
        {
            await SetAsync(
                request,
                ActivityTargets.IsolationId(request.Alert.Target),
                current => firstLook is null && unquarantined && current.Status == LedgerStatus.Isolated
                    ? throw new IsolatedSinceReadException()
                    : current with { Status = LedgerStatus.Released, ChangedBy = actor, ChangedAt = now, Reason = reason, FailureReason = null, ReleasedAt = now },
                madeBefore: current => current.Status == LedgerStatus.Released,
                ActivityTargets.PodAudit(
                    request,
                    AuditAction.Released,
                    now,
                    LookedAgain(firstLook) + (outcome.Notes.Count == 0 ? detail : $"{detail}; {string.Join("; ", outcome.Notes)}"),
                    JsonSerializer.SerializeToElement(outcome, ContainmentJson.Options)),
                cancellationToken);
            return true;
        }
        catch (IsolatedSinceReadException)
        {
            return false;
        }
    }

    private static string LookedAgain(ReleaseOutcome? firstLook) => firstLook switch
    {
        null => string.Empty,
        _ when firstLook.Notes.Contains(ReleaseAction.FencePutBack) =>
            "read again, as the record said isolated (the first look found the pod unquarantined, then quarantined by another run while it deleted the fence, and put the fence back): ",
        { DeletedPolicies.Count: 0 } => "read again, as the record said isolated (the first look found the pod unquarantined): ",
        _ => $"read again, as the record said isolated (the first look found the pod unquarantined and deleted {string.Join(", ", firstLook.DeletedPolicies)}): ",
    };

    private static string ReasonOf(ActivityRequest request) => request.Step is Playbooks.ReleaseStep { Reason: { } given } ? given : "release";

    /// <summary>
    /// Changes the pod's isolation record, with the audit entry in the same transaction. Nothing was ever recorded
    /// for the pod: the release still runs, and the entry is kept on its own.
    /// </summary>
    private Task SetAsync(ActivityRequest request, string id, Func<IsolationRecord, IsolationRecord> change, Func<IsolationRecord, bool>? madeBefore, AuditEntry entry, CancellationToken cancellationToken) =>
        IsolationRecordChange.ApplyAsync(isolations, audit, id, ActivityTargets.CallAcrossRuns(request), request.RunStartedAt, current => current is null ? null : change(current), madeBefore, entry, likelyNew: false, cancellationToken);

    /// <summary>The record says Isolated though the release found the pod not quarantined.</summary>
    private sealed class IsolatedSinceReadException : Exception;
}
