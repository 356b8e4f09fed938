using System.Text.Json;
using Containment.Alerts;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using Containment.Ledger;
using Containment.Playbooks;
using LedgerStatus = Containment.Ledger.IsolationStatus;
using ReleaseAction = Containment.Isolation.Actions.Release.ReleasePod;

namespace Containment.Activities;

/// <summary>
/// The <c>isolate</c> step: quarantines the pod, keeps the isolation record and the audit trail, and marks
/// the security event Processed (never for malware: isolation does not remove it), with those of the alerts that
/// joined the run before it isolated. A failure that will be tried again makes a pod not yet isolated Isolating (one
/// isolated already stays so) and says so in the audit trail; only the last try's failure is Failed. A call whose run
/// has ended and whose pod a later run has released since gives the pod back rather than record an isolation.
/// </summary>
public sealed class IsolatePod(
    QuarantinePod quarantine,
    ReleaseAction release,
    IsolationLedger isolations,
    SecurityEventLedger events,
    JoinedEventLedger joined,
    AuditTrail audit,
    TimeProvider time) : IRunActivity
{
    public string Name => nameof(IsolatePod);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await IsolateAsync(request, cancellationToken);
        }
        catch (SupersededByLaterRunException exception)
        {
            // Thrown by a record write (the quarantine's own is caught where it is called): the record is a later run's.
            return await WithdrawAsync(request, exception, cancellationToken);
        }
    }

    private async Task<ActivityResult> IsolateAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var step = (IsolateStep)request.Step;
        var target = request.Alert.Target;
        var id = ActivityTargets.IsolationId(target);
        var actor = ActivityTargets.Actor(request);

        IsolationOutcome outcome;
        try
        {
            outcome = await quarantine.IsolateAsync(QuarantineRequestOf(request), cancellationToken);
        }
        catch (SupersededByLaterRunException exception)
        {
            // The pod and its record are the later run's: this call leaves both as they are.
            return ActivityResult.Failure(exception.Message, retryable: false);
        }
        catch (KubernetesOperationException exception) when (ActivityTargets.Failure(exception) is { Retryable: true } failure && request.WillRetry)
        {
            var failedAt = time.GetUtcNow();
            var entry = ActivityTargets.AttemptFailedAudit(request, AuditAction.IsolationAttemptFailed, failedAt, exception.Failure.Message);
            await RecordAsync(
                request,
                id,
                current => current?.Status == LedgerStatus.Isolated ? current : Stamped(request, id, current, LedgerStatus.Isolating, actor, failedAt) with { FailureReason = entry.Detail },
                madeBefore: null,
                entry,
                cancellationToken);
            return failure;
        }
        catch (KubernetesOperationException exception)
        {
            await FailAsync(request, id, actor, exception.Failure.Message, cancellationToken);
            return ActivityTargets.Failure(exception);
        }

        if (outcome.Refusal is { } refusal)
        {
            await FailAsync(request, id, actor, refusal.Message, cancellationToken);
            return ActivityResult.Failure(refusal.Message, retryable: false);
        }

        var applied = JsonSerializer.SerializeToElement(outcome, ContainmentJson.Options);
        var now = time.GetUtcNow();
        await RecordAsync(
            request,
            id,
            current => Stamped(request, id, current, LedgerStatus.Isolated, actor, now) with
            {
                Applied = applied,

                // Since when the pod is isolated: kept while it stays so, new after a release or a failure.
                IsolatedAt = current is { Status: LedgerStatus.Isolated, IsolatedAt: { } since } ? since : now,
                ReleasedAt = null,
                IsolatingRunStartedAt = request.RunStartedAt,
                FailureReason = null,
            },
            madeBefore: current => current.Status == LedgerStatus.Isolated,
            ActivityTargets.PodAudit(request, AuditAction.Isolated, now, Describe(outcome), applied),
            cancellationToken);

        if (step.MarkEventProcessed)
        {
            // The record names the run now, so what joined the run is listed after it (JoinedEventLedger). Joining
            // malware alerts are not kept for this.
            await Task.WhenAll(
                request.Alert.Category != AlertCategory.Malware ? MarkProcessedAsync(request, actor, now, cancellationToken) : Task.CompletedTask,
                request.RunStartedAt is { } startedAt ? joined.MarkJoinedAsync(id, startedAt, actor, cancellationToken) : Task.CompletedTask);
        }

        var partial = outcome.Warnings.Where(warning => warning.Kind is IsolationWarningKind.OtherPolicySelectsPod or IsolationWarningKind.VerificationFailed).ToList();
        return partial.Count > 0 && !step.AllowPartial
            ? ActivityResult.Failure($"isolation is partial: {string.Join("; ", partial.Select(warning => warning.Message))}{PartialKept(id)}", retryable: false)
            : ActivityResult.Success(outcome);
    }

    public void ReadAhead(ActivityRequest request, CancellationToken cancellationToken) =>
        quarantine.ReadAhead(QuarantineRequestOf(request), cancellationToken);

    private static QuarantineRequest QuarantineRequestOf(ActivityRequest request)
    {
        var target = request.Alert.Target;
        return new(target.ClusterName, target.Namespace, target.Pod, ActivityTargets.QuarantineId(target), request.RunStartedAt);
    }

    private static string Describe(IsolationOutcome outcome)
    {
        var what = outcome.Status == Containment.Isolation.IsolationStatus.AlreadyIsolated
            ? "already isolated; nothing changed"
            : $"relabelled and fenced by {outcome.NetworkPolicyName}{(outcome.CiliumApplied ? " and " + outcome.CiliumNetworkPolicyName : string.Empty)}";
        return outcome.Warnings.Count == 0 ? what : $"{what}; warnings: {string.Join("; ", outcome.Warnings.Select(warning => warning.Message))}";
    }

    /// <summary>
    /// Changes the pod's isolation record, with the audit entry that tells of it in the same transaction. A first try
    /// inserts before it reads (a pod seldom has a record yet); a later one most likely left an Isolating record.
    /// </summary>
    /// <param name="asOfRun">The run start the change is made under: the call's own run's unless given.</param>
    private Task RecordAsync(
        ActivityRequest request, string id, Func<IsolationRecord?, IsolationRecord?> change, Func<IsolationRecord, bool>? madeBefore, AuditEntry entry, CancellationToken cancellationToken, DateTimeOffset? asOfRun = null) =>
        IsolationRecordChange.ApplyAsync(isolations, audit, id, ActivityTargets.CallAcrossRuns(request), asOfRun ?? request.RunStartedAt, change, madeBefore, entry, likelyNew: request.Attempt == 1, cancellationToken);

    /// <summary>The record (a new one when there is none) with the status, the alert and who changed it when.</summary>
    private static IsolationRecord Stamped(ActivityRequest request, string id, IsolationRecord? current, LedgerStatus status, string actor, DateTimeOffset now)
    {
        var target = request.Alert.Target;
        var eventId = ActivityTargets.EventId(request.Alert);
        return (current ?? new IsolationRecord
        {
            Id = id,
            Cluster = target.ClusterName,
            Namespace = target.Namespace,
            Pod = target.Pod,
            Status = status,
            ChangedBy = actor,
            ChangedAt = now,
        }) with
        {
            Container = target.Container,
            Node = target.Node,
            Status = status,
            RunInstanceId = request.InstanceId,
            AlertIds = (current?.AlertIds ?? []).Contains(eventId) ? current!.AlertIds : [.. current?.AlertIds ?? [], eventId],
            ChangedBy = actor,
            ChangedAt = now,
            Reason = $"{request.Alert.Rule ?? request.Alert.Title} ({KebabCaseEnumConverter.ToWireName(request.Alert.Category)})",
        };
    }

    private async Task FailAsync(ActivityRequest request, string id, string actor, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await RecordAsync(
            request,
            id,
            current => Stamped(request, id, current, LedgerStatus.Failed, actor, now) with { FailureReason = reason },
            madeBefore: current => current.Status == LedgerStatus.Failed,
            ActivityTargets.PodAudit(request, AuditAction.IsolationFailed, now, reason),
            cancellationToken);
    }

    /// <summary>
    /// A later run of the pod changed its record after this call's run was ended. When that run released the pod (a
    /// release by hand, a takeover whose release was approved), what this call did to the pod is undone, so the release
    /// stands on the cluster as in the ledger. A pod a later run has isolated, or tries to, stays quarantined: that run
    /// takes it over as a pod an earlier run isolated.
    /// </summary>
    private async Task<ActivityResult> WithdrawAsync(ActivityRequest request, SupersededByLaterRunException superseded, CancellationToken cancellationToken)
    {
        if (!superseded.Released)
        {
            return ActivityResult.Failure(superseded.Message, retryable: false);
        }

        var target = request.Alert.Target;
        var id = ActivityTargets.IsolationId(target);
        try
        {
            if (!await release.GiveBackLabelsAsync(ActivityTargets.Pod(target), request.RunStartedAt, cancellationToken))
            {
                return ActivityResult.Failure(superseded.Message, retryable: false);
            }
        }
        catch (SupersededByLaterRunException later)
        {
            return ActivityResult.Failure(later.Message, retryable: false);
        }
        catch (KubernetesOperationException exception)
        {
            return await KeepQuarantinedAsync(request, id, superseded, exception, cancellationToken);
        }

        var detail = $"{superseded.Message}: the pod's labels were given back; its quarantine policy is left, and selects no pod";
        await audit.AppendAsync(AuditSubject.Isolation, ActivityTargets.PodAudit(request, AuditAction.IsolationWithdrawn, time.GetUtcNow(), detail), cancellationToken);
        return ActivityResult.Failure(detail, retryable: false);
    }

    /// <summary>
    /// The pod could not be given back, so it stays cut off: the record says so, stamped with the later run's start (it
    /// stays that run's to change), and a release by hand gives the pod back.
    /// </summary>
    private async Task<ActivityResult> KeepQuarantinedAsync(
        ActivityRequest request, string id, SupersededByLaterRunException superseded, KubernetesOperationException failure, CancellationToken cancellationToken)
    {
        var failedAt = time.GetUtcNow();
        var reason = $"{superseded.Message}; giving the pod back failed, so it stays quarantined until it is released by hand: {failure.Failure.Message}";
        try
        {
            await RecordAsync(
                request,
                id,
                current => Stamped(request, id, current, LedgerStatus.Isolated, ActivityTargets.Actor(request), failedAt) with
                {
                    IsolatedAt = failedAt,
                    ReleasedAt = null,
                    FailureReason = reason,
                },
                madeBefore: null,
                ActivityTargets.PodAudit(request, AuditAction.IsolationWithdrawn, failedAt, reason),
                cancellationToken,
                asOfRun: superseded.LaterRunStartedAt);
        }
        catch (SupersededByLaterRunException later)
        {
            return ActivityResult.Failure($"{reason}; {later.Message}", retryable: false);
        }

        return ActivityResult.Failure(reason, retryable: false);
    }

    private const string ProcessedReason = "the pod was isolated";

    // A partial isolation fails the step but is not undone: what it fenced stays fenced until a person decides.
    private static string PartialKept(string id) => $". The pod keeps its quarantine until it is released by hand (POST /api/isolations/{Uri.EscapeDataString(id)}/release)";

    private Task<SecurityEventRecord?> MarkProcessedAsync(ActivityRequest request, string actor, DateTimeOffset now, CancellationToken cancellationToken) =>
        events.SetStatusAsync(
            ActivityTargets.EventId(request.Alert),
            EventStatus.Processed,
            ProcessedReason,
            actor,
            now,
            request.InstanceId,
            cancellationToken,
            missing: ActivityTargets.EventOf(request, now));
}
