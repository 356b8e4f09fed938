using System.Diagnostics;
using Containment.Activities;
using Containment.Alerts;
using Containment.Clusters;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Runs;
using Containment.Telemetry;

namespace Containment.Intake;

/// <summary>
/// Takes one parsed alert in: names its cluster by alias, picks the playbook, stores the security event,
/// and starts or joins the pod's run. Every write is durable before the answer, and each is idempotent, so a
/// sender that retries after a crash gets the same result and nothing acts twice.
/// </summary>
public sealed class AlertAdmission(
    ClusterRegistry clusters,
    PlaybookRepository playbooks,
    SecurityEventLedger events,
    JoinedEventLedger joined,
    AuditTrail audit,
    IPlaybookRuntime runtime,
    PodLabelsReader podLabels,
    TimeProvider time)
{
    public const string Actor = ActivityTargets.ProductActor;

    /// <param name="playbook">A playbook to run whatever the triggers say (isolate by hand); null to choose by trigger.</param>
    public async Task<AdmissionEntry> AdmitAsync(Alert alert, Playbook? playbook, Uri baseUri, CancellationToken cancellationToken)
    {
        using var span = ContainmentTelemetry.Source.StartActivity(ContainmentTelemetry.AlertAdmit);
        span?.SetTag(TelemetryTags.EventId, SecurityEventLedger.IdOf(alert));
        try
        {
            var entry = await AdmitUntracedAsync(alert, playbook, baseUri, cancellationToken);
            span?.SetTag(TelemetryTags.AdmissionOutcome, KebabCaseEnumConverter.ToWireName(entry.Outcome))
                .SetTag(TelemetryTags.RunId, entry.InstanceId)
                .SetTag(TelemetryTags.Playbook, entry.Playbook);
            return entry;
        }
        catch (Exception exception)
        {
            span?.SetStatus(ActivityStatusCode.Error, FailureReason.Of(exception));

            // The sender is told to deliver again; that delivery reads the event and finishes what this one left.
            events.Forget(SecurityEventLedger.IdOf(alert));
            throw;
        }
    }

    private async Task<AdmissionEntry> AdmitUntracedAsync(Alert alert, Playbook? playbook, Uri baseUri, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var eventId = SecurityEventLedger.IdOf(alert);
        if (alert.NothingToIsolate is { } why && playbook is null)
        {
            return await IgnoreAsync(alert, eventId, why, now, cancellationToken);
        }

        var cluster = AlertCluster.Of(alert.Target, clusters.Configured);
        if (cluster.Alias is not { } alias)
        {
            return await IgnoreAsync(alert, eventId, cluster.Reason!, now, cancellationToken);
        }

        // Both names of the cluster, so a trigger that names it by either judges every alert about it.
        alert = alert with { Target = alert.Target with { Cluster = alias, ClusterResourceId = alert.Target.ClusterResourceId ?? cluster.ResourceId } };
        var catalog = await playbooks.GetCatalogAsync(cancellationToken);
        var byHand = playbook is not null;
        playbook ??= catalog.Select(alert, catalog.AsksPodLabels(alert) ? await podLabels.ReadAsync(alert.Target, cancellationToken) : null);
        if (playbook is null)
        {
            var reason = $"no playbook takes {KebabCaseEnumConverter.ToWireName(alert.Category)} alerts of severity {KebabCaseEnumConverter.ToWireName(alert.Severity)} in {alias}/{alert.Target.Namespace}";
            return await IgnoreAsync(alert, eventId, reason, now, cancellationToken);
        }

        var instanceId = RunInstanceId.ForTarget(alert.Target);
        var record = SecurityEventRecord.Unprocessed(alert, playbook.Name, instanceId, now, Actor);

        // A pod that never had a run needs no look at the event before its run starts (nothing can make this
        // alert a duplicate of a run that does not exist), so the run starts first; both writes are durable before
        // the answer. Should the event's write fail after the run started, the answer is an error and the
        // sender's retry stores the event and joins the run. Otherwise the start waits for the event and
        // follows the rules below. The event's insert goes out once the run's is answered: where storage serves
        // one request at a time (Azurite), sending both at once holds the run's insert, and so the isolation, back
        // by the event's. The ledger starts the run itself once it counts the event as being inserted, so the run's
        // first step, which stores or marks the event, waits for the insert however soon it runs (SecurityEventLedger).
        Task<RunStartResult?>? startingNew = null;
        SecurityEventRecord? inserted = null;
        var storing = events.AddAfterAsync(
            record,
            first: () => startingNew = runtime.StartNewAsync(instanceId, playbook, alert, cancellationToken).AsTask(),
            settle: unsettled => inserted = HandledAlready(unsettled, startingNew!),
            cancellationToken);
        var starting = startingNew!; // set by the ledger's call of first, made before it returns
        await Task.WhenAll(storing, starting);
        var (stored, created) = await storing;
        if (await starting is { } fresh)
        {
            return Entry(alert, eventId, AdmissionOutcome.Started, instanceId, fresh.Playbook, baseUri, Differs(stored, fresh));
        }

        // A redelivery after the pod's run has ended must not start it again (it would isolate a released pod anew),
        // unless that run had already ended when the event was first stored, or was the run the first delivery was
        // taking the pod from: then the first delivery stopped before its start.
        if (!created
            && await runtime.GetProgressAsync(instanceId, cancellationToken) is { EndedAt: { } endedAt } ended
            && endedAt >= stored.ReceivedAt
            && !RunTakeover.TakesOver(playbook, byHand, ended, catalog, firstDelivery: false, stored.ReceivedAt))
        {
            return Entry(alert, eventId, AdmissionOutcome.Duplicate, instanceId, ended.Playbook, baseUri, $"delivered before ({stored.ReceivedAt:u}); the pod's run has ended since");
        }

        // Started even when the event was stored before: the earlier delivery may have stopped right here.
        var start = await runtime.StartAsync(instanceId, playbook, alert, cancellationToken);
        if (start.Outcome == RunStartOutcome.Joined
            && start.Playbook != playbook.Name
            && await runtime.GetProgressAsync(instanceId, cancellationToken) is { EndedAt: null } holding
            && RunTakeover.TakesOver(playbook, byHand, holding, catalog, created, stored.ReceivedAt))
        {
            return await TakeOverAsync(alert, eventId, instanceId, playbook, stored, holding, baseUri, cancellationToken);
        }

        // Stored unprocessed into a run of its own playbook that has not isolated the pod yet: the run's isolation marks
        // it processed (JoinedEventLedger). By this delivery, or by one before that this process does not remember (it
        // stopped before the join was kept, say); the join is kept once however often. Malware is never processed by an isolation.
        if (start.Outcome == RunStartOutcome.Joined
            && start.Playbook == stored.Playbook
            && alert.Category != AlertCategory.Malware
            && (created ? inserted?.Status : stored.StatusRead) == EventStatus.Unprocessed
            && await runtime.GetProgressAsync(instanceId, cancellationToken) is { } joinedRun
            && !joinedRun.IsStartedBy(alert))
        {
            await joined.JoinAsync(eventId, instanceId, joinedRun.StartedAt, Actor, cancellationToken);
        }

        return Entry(
            alert,
            eventId,
            start.Outcome == RunStartOutcome.Started ? AdmissionOutcome.Started : AdmissionOutcome.Joined,
            instanceId,
            start.Playbook,
            baseUri,
            Differs(stored, start));
    }

    /// <summary>Ends the run holding the pod, then starts the alert's run in its place (or joins one another delivery started first).</summary>
    private async Task<AdmissionEntry> TakeOverAsync(Alert alert, string eventId, string instanceId, Playbook playbook, KnownEvent stored, RunProgress holding, Uri baseUri, CancellationToken cancellationToken)
    {
        // The embedded runtime ends the run once a step in progress (an isolation, a release) has finished, so the two
        // runs never act on the pod at once; Durable Functions ends the orchestration at once, and an activity already
        // running finishes on its own, as with a release by hand.
        if (await runtime.TerminateIfRunningAsync(instanceId, holding.Playbook, $"taken over by a run of {playbook.Name} for event {eventId}", cancellationToken))
        {
            await audit.AppendAsync(
                AuditSubject.SecurityEvent,
                new AuditEntry
                {
                    SubjectId = eventId,
                    Action = AuditAction.RunTakenOver,
                    At = time.GetUtcNow(),
                    Actor = Actor,
                    RunInstanceId = instanceId,
                    Detail = $"ended the pod's run of {holding.Playbook} (started {holding.StartedAt:u}) to run {playbook.Name}",
                },
                cancellationToken);
        }

        var start = await runtime.StartAsync(instanceId, playbook, alert, cancellationToken);
        return start is { Outcome: RunStartOutcome.Started }
            ? Entry(alert, eventId, AdmissionOutcome.Started, instanceId, start.Playbook, baseUri, $"took the pod over from a run of {holding.Playbook}")
            : Entry(alert, eventId, AdmissionOutcome.Joined, instanceId, start.Playbook, baseUri, Differs(stored, start));
    }

    /// <summary>
    /// The event of an alert for a pod its run of the same playbook holds isolated already is stored processed: the
    /// isolation that would have marked it is done, and the run, which knows only its own alert, would leave it
    /// unprocessed. Decided from the runtime's memory, at no extra storage operation; malware is never processed by an
    /// isolation. An alert that joins a run not that far yet is stored unprocessed, and kept for the run's isolation.
    /// </summary>
    private SecurityEventRecord HandledAlready(SecurityEventRecord record, Task<RunStartResult?> startingNew)
    {
        if (startingNew is not { IsCompletedSuccessfully: true, Result: null }
            || record.Alert.Category == AlertCategory.Malware
            || runtime.KnownProgress(record.RunInstanceId!) is not { EndedAt: null } progress
            || progress.Playbook != record.Playbook
            || progress.IsStartedBy(record.Alert))
        {
            return record;
        }

        // The run's step shows the isolation once the run has stored it; the isolation's record is written a moment before.
        return progress.IsolatedAt is { } isolatedAt
            ? record with { Status = EventStatus.Processed, StatusReason = $"its pod was isolated already, at {isolatedAt:u}, by run {record.RunInstanceId}" }
            : joined.IsolatedByRun(record.RunInstanceId!, progress.StartedAt)
                ? record with { Status = EventStatus.Processed, StatusReason = JoinedEventLedger.ProcessedReason(record.RunInstanceId!) }
                : record;
    }

    private static string? Differs(KnownEvent stored, RunStartResult start) =>
        stored.Playbook != start.Playbook ? $"the pod is already handled by a run of {start.Playbook}" : null;

    private static AdmissionEntry Entry(Alert alert, string eventId, AdmissionOutcome outcome, string instanceId, string? playbook, Uri baseUri, string? reason) => new()
    {
        AlertId = alert.Id,
        EventId = eventId,
        Outcome = outcome,
        Playbook = playbook,
        InstanceId = instanceId,
        StatusUrl = new Uri(baseUri, $"/api/runs/{Uri.EscapeDataString(instanceId)}"),
        Reason = reason,
    };

    private async Task<AdmissionEntry> IgnoreAsync(Alert alert, string eventId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await events.AddAsync(
            new SecurityEventRecord { Id = eventId, Alert = alert, Status = EventStatus.Ignored, StatusReason = reason, ReceivedAt = now, ChangedAt = now, ChangedBy = Actor },
            cancellationToken);
        return new AdmissionEntry { AlertId = alert.Id, EventId = eventId, Outcome = AdmissionOutcome.Ignored, Reason = reason };
    }
}
