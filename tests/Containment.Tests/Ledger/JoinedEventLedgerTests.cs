using Containment.Alerts;
using Containment.Ledger;
using Containment.Runs;
using Containment.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Ledger;

/// <summary>
/// Alerts that joined a pod's run, over Azurite: whichever comes first, the join or the isolation's record, the event
/// ends processed once; rows of one run are not taken by another run of the pod.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class JoinedEventLedgerTests(LocalHostFixture host)
{
    private const string Person = "ops@contoso.com";
    private const string AlertAdmissionActor = Containment.Intake.AlertAdmission.Actor;
    private static readonly DateTimeOffset ProcessStart = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RunStart = ProcessStart.AddSeconds(1);

    private readonly SecurityEventLedger events = host.Get<SecurityEventLedger>();
    private readonly IsolationLedger isolations = host.Get<IsolationLedger>();

    [Fact]
    public async Task JoinedBeforeTheIsolation_TheIsolationMarksItProcessed_WithOneAuditEntry()
    {
        var joined = Ledger(OneProcess());
        var (instanceId, pod) = NewPod();
        var eventId = await StoreEventAsync(instanceId, pod, "before");

        await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);
        Assert.Equal(EventStatus.Unprocessed, await StatusOfAsync(eventId));
        await RecordIsolatedAsync(instanceId, pod, RunStart);
        await joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None);

        var stored = (await events.GetAsync(eventId, CancellationToken.None))!;
        Assert.Equal(EventStatus.Processed, stored.Status);
        Assert.Equal($"the run it joined ({instanceId}) isolated its pod", stored.StatusReason);
        Assert.Equal(Person, stored.ChangedBy);
        var entry = Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, eventId, CancellationToken.None));
        Assert.Equal(AuditAction.EventStatusChanged, entry.Action);
        Assert.Equal(instanceId, entry.RunInstanceId);
    }

    [Fact]
    public async Task JoinedAfterTheIsolationListed_ThisProcessKnowsIt_TheJoinMarksItProcessedItself()
    {
        var joined = Ledger(OneProcess());
        var (instanceId, pod) = NewPod();
        var eventId = await StoreEventAsync(instanceId, pod, "after");
        await RecordIsolatedAsync(instanceId, pod, RunStart);
        await joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None);

        await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);

        await AssertProcessedByAsync(eventId, AlertAdmissionActor);
    }

    [Fact]
    public async Task JoinedAfterAnotherProcessRecordedTheIsolation_TheJoinFindsTheRecordAndMarksItProcessedItself()
    {
        var joined = Ledger(JoinedEventMarks.Shared());
        var (instanceId, pod) = NewPod();
        var eventId = await StoreEventAsync(instanceId, pod, "after-elsewhere");
        await RecordIsolatedAsync(instanceId, pod, RunStart);

        await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);

        await AssertProcessedByAsync(eventId, AlertAdmissionActor);
    }

    [Fact]
    public async Task RecordOfAnEarlierRunOfThePod_TheJoinWaitsForItsOwnRun_WhichTheEarlierRunsIsolationDoesNotTake()
    {
        var joined = Ledger(OneProcess());
        var (instanceId, pod) = NewPod();
        var earlier = RunStart.AddMinutes(-30);
        var eventId = await StoreEventAsync(instanceId, pod, "later-run");
        await RecordIsolatedAsync(instanceId, pod, earlier);

        await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);
        await joined.MarkJoinedAsync(instanceId, earlier, Person, CancellationToken.None);
        Assert.Equal(EventStatus.Unprocessed, await StatusOfAsync(eventId));

        await RecordIsolatedAsync(instanceId, pod, RunStart);
        await joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None);
        Assert.Equal(EventStatus.Processed, await StatusOfAsync(eventId));
    }

    [Fact]
    public async Task JoinedInAnotherProcess_ListedWhereProcessesShareRuns_AndForRunsOlderThanTheProcess()
    {
        var joinedThere = Ledger(OneProcess());
        var (sharedId, sharedPod) = NewPod();
        var (restartedId, restartedPod) = NewPod();
        var sharedEvent = await StoreEventAsync(sharedId, sharedPod, "shared");
        var restartedEvent = await StoreEventAsync(restartedId, restartedPod, "restarted");
        await joinedThere.JoinAsync(sharedEvent, sharedId, RunStart, AlertAdmissionActor, CancellationToken.None);
        await joinedThere.JoinAsync(restartedEvent, restartedId, RunStart, AlertAdmissionActor, CancellationToken.None);
        await RecordIsolatedAsync(sharedId, sharedPod, RunStart);
        await RecordIsolatedAsync(restartedId, restartedPod, RunStart);

        await Ledger(JoinedEventMarks.Shared()).MarkJoinedAsync(sharedId, RunStart, Person, CancellationToken.None);
        await Ledger(JoinedEventMarks.OneProcess(new FakeTimeProvider(RunStart.AddMinutes(1)))).MarkJoinedAsync(restartedId, RunStart, Person, CancellationToken.None);

        Assert.Equal(EventStatus.Processed, await StatusOfAsync(sharedEvent));
        Assert.Equal(EventStatus.Processed, await StatusOfAsync(restartedEvent));
    }

    [Fact]
    public async Task MarkingRefusedByStorage_TheIsolationsRetryListsAgain_AndMarksTheJoinedEvent()
    {
        var refused = new WriteRefusedOnce("$batch");
        using var tables = host.LedgerTablesThrough(refused);
        using var refusingEvents = new SecurityEventLedger(tables);
        var joined = new JoinedEventLedger(tables, isolations, refusingEvents, OneProcess(), TimeProvider.System);
        var (instanceId, pod) = NewPod();
        var eventId = await StoreEventAsync(instanceId, pod, "refused");
        await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);
        await RecordIsolatedAsync(instanceId, pod, RunStart);

        // The isolation's first try: storage refuses the event's change, and the isolation fails.
        refused.Arm();
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None));
        Assert.Equal(1, refused.Refused);
        Assert.Equal(EventStatus.Unprocessed, await StatusOfAsync(eventId));

        // Its retry.
        await joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None);

        await AssertProcessedByAsync(eventId, Person);
    }

    [Fact]
    public async Task EventAPersonSetMeanwhile_KeepsThePersonsStatus()
    {
        var joined = Ledger(OneProcess());
        var (instanceId, pod) = NewPod();
        var eventId = await StoreEventAsync(instanceId, pod, "judged");
        await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);
        await events.ChangeAsync(
            eventId,
            current => current with { Status = EventStatus.Ignored, StatusReason = "known scanner", ChangedBy = Person },
            (before, after) => [AuditEntry.EventStatusChanged(eventId, before.Status, after.Status, after.StatusReason, Person, DateTimeOffset.UtcNow, null)],
            CancellationToken.None);

        await RecordIsolatedAsync(instanceId, pod, RunStart);
        await joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None);

        var stored = (await events.GetAsync(eventId, CancellationToken.None))!;
        Assert.Equal(EventStatus.Ignored, stored.Status);
        Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, eventId, CancellationToken.None));
    }

    [Fact]
    public async Task EventIdsOfAnyCharactersAndLength_JoinedTwice_EachMarkedOnce()
    {
        var joined = Ledger(OneProcess());
        var (instanceId, pod) = NewPod();
        string[] alertIds = ["a/b#c?d%e\\f", "é-ü-ß-漢", new string('x', 700)];
        var eventIds = new List<string>();
        foreach (var alertId in alertIds)
        {
            var eventId = await StoreEventAsync(instanceId, pod, alertId);
            eventIds.Add(eventId);
            await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);
            await joined.JoinAsync(eventId, instanceId, RunStart, AlertAdmissionActor, CancellationToken.None);
        }

        await RecordIsolatedAsync(instanceId, pod, RunStart);
        await joined.MarkJoinedAsync(instanceId, RunStart, Person, CancellationToken.None);

        foreach (var eventId in eventIds)
        {
            Assert.Equal(EventStatus.Processed, await StatusOfAsync(eventId));
            Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, eventId, CancellationToken.None));
        }
    }

    private async Task<EventStatus> StatusOfAsync(string eventId) => (await events.GetAsync(eventId, CancellationToken.None))!.Status;

    /// <summary>The event is processed, and by <paramref name="actor"/>.</summary>
    private async Task AssertProcessedByAsync(string eventId, string actor)
    {
        var stored = (await events.GetAsync(eventId, CancellationToken.None))!;
        Assert.Equal(EventStatus.Processed, stored.Status);
        Assert.Equal(actor, stored.ChangedBy);
    }

    private static JoinedEventMarks OneProcess() => JoinedEventMarks.OneProcess(new FakeTimeProvider(ProcessStart));

    private static (string InstanceId, string Pod) NewPod()
    {
        var pod = "joined-" + Guid.NewGuid().ToString("N")[..10];
        return (RunInstanceId.ForTarget(LocalHostFixture.Cluster, LocalHostFixture.Namespace, pod), pod);
    }

    private JoinedEventLedger Ledger(JoinedEventMarks marks) =>
        new(host.Get<LedgerTables>(), isolations, events, marks, TimeProvider.System);

    private async Task<string> StoreEventAsync(string instanceId, string pod, string alertId)
    {
        var alert = new Alert
        {
            Id = alertId + "-" + Guid.NewGuid().ToString("N")[..8],
            Source = "siem",
            Category = AlertCategory.ReverseShell,
            Severity = Severity.High,
            Time = RunStart,
            Target = new AlertTarget { Cluster = LocalHostFixture.Cluster, Namespace = LocalHostFixture.Namespace, Pod = pod },
        };
        var record = SecurityEventRecord.Unprocessed(alert, "contain", instanceId, RunStart, AlertAdmissionActor);
        await events.AddAsync(record, CancellationToken.None);
        return record.Id;
    }

    private Task<IsolationRecord?> RecordIsolatedAsync(string instanceId, string pod, DateTimeOffset runStartedAt) => isolations.ChangeAsync(
        instanceId,
        current => (current ?? new IsolationRecord
        {
            Id = instanceId,
            Cluster = LocalHostFixture.Cluster,
            Namespace = LocalHostFixture.Namespace,
            Pod = pod,
            Status = IsolationStatus.Isolated,
            ChangedBy = AlertAdmissionActor,
            ChangedAt = runStartedAt,
        }) with { Status = IsolationStatus.Isolated, RunInstanceId = instanceId, IsolatingRunStartedAt = runStartedAt },
        CancellationToken.None);
}
