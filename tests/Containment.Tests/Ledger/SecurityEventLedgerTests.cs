using System.Text.Json;
using Azure.Data.Tables;
using Containment.Alerts;
using Containment.Ledger;
using Containment.Tests.Support;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Ledger;

[Collection(LocalHostCollection.Name)]
public sealed class SecurityEventLedgerTests(LocalHostFixture host)
{
    private readonly SecurityEventLedger events = host.Get<SecurityEventLedger>();

    [Fact]
    public async Task AddAsync_SameEventTwice_KeepsTheFirst()
    {
        var first = Record(EventStatus.Unprocessed, "first");
        var second = first with { StatusReason = "second" };

        var (_, created) = await events.AddAsync(first, CancellationToken.None);
        var (stored, createdAgain) = await events.AddAsync(second with { Playbook = "another" }, CancellationToken.None);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.Playbook, stored.Playbook);
        Assert.Equal("first", (await events.GetAsync(first.Id, CancellationToken.None))!.StatusReason);
    }

    [Fact]
    public async Task ChangeAsync_MissingEvent_ReturnsNull()
    {
        Assert.Null(await events.ChangeAsync("none:" + Guid.NewGuid(), record => record, (_, _) => [], CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_ByStatus_ReturnsOnlyThatStatus()
    {
        var ignored = Record(EventStatus.Ignored, "no playbook");
        var processed = Record(EventStatus.Processed, null);
        await events.AddAsync(ignored, CancellationToken.None);
        await events.AddAsync(processed, CancellationToken.None);

        var listed = (await events.ListAsync(new EventQuery(EventStatus.Ignored, Page.MaxLimit), CancellationToken.None)).Items;

        Assert.Contains(listed, record => record.Id == ignored.Id);
        Assert.All(listed, record => Assert.Equal(EventStatus.Ignored, record.Status));
    }

    [Fact]
    public async Task AddAsync_Alert_RoundTripsEveryField()
    {
        var record = Record(EventStatus.Unprocessed, null);

        await events.AddAsync(record, CancellationToken.None);
        var stored = await events.GetAsync(record.Id, CancellationToken.None);

        Assert.Equal(record.Alert.Target, stored!.Alert.Target);
        Assert.Equal(record.Alert.Category, stored.Alert.Category);
        Assert.Equal(record.Alert.Time, stored.Alert.Time);
    }

    [Fact]
    public async Task ChangeAsync_NoChange_WritesNoEntry()
    {
        var record = Record(EventStatus.Unprocessed, null);
        await events.AddAsync(record, CancellationToken.None);

        static SecurityEventRecord Process(SecurityEventRecord current) => current.Status == EventStatus.Processed ? current : current with { Status = EventStatus.Processed };
        await events.ChangeAsync(record.Id, Process, (_, _) => [Changed(record.Id)], CancellationToken.None);
        await events.ChangeAsync(record.Id, Process, (_, _) => [Changed(record.Id)], CancellationToken.None);

        var entries = await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, record.Id, CancellationToken.None);
        Assert.Equal([AuditAction.EventStatusChanged], entries.Select(entry => entry.Action));
    }

    [Fact]
    public async Task ChangeAsync_AfterAnotherProcessChangedTheEvent_AppliesToItsVersion()
    {
        // Two ledgers over the same tables, as two hosts would be: each keeps its own copy of what it wrote last.
        using var otherTables = new LedgerTables(host.Get<TableServiceClient>(), host.Get<IOptions<LedgerOptions>>());
        using var other = new SecurityEventLedger(otherTables);
        var record = Record(EventStatus.Unprocessed, null);
        await events.AddAsync(record, CancellationToken.None);

        await other.ChangeAsync(record.Id, current => current with { Status = EventStatus.Processed, StatusReason = "other" }, (_, _) => [Changed(record.Id)], CancellationToken.None);
        var changed = await events.ChangeAsync(record.Id, current => current with { StatusReason = current.StatusReason + "+this" }, (_, _) => [Changed(record.Id)], CancellationToken.None);
        var unchanged = await events.ChangeAsync(record.Id, current => current.Status == EventStatus.Processed ? current : current with { Status = EventStatus.Processed }, (_, _) => [Changed(record.Id)], CancellationToken.None);

        Assert.Equal("other+this", changed!.StatusReason);
        Assert.Equal(EventStatus.Processed, changed.Status);
        Assert.Equal("other+this", (await events.GetAsync(record.Id, CancellationToken.None))!.StatusReason);
        Assert.Equal("other+this", unchanged!.StatusReason);
        Assert.Equal(2, (await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, record.Id, CancellationToken.None)).Count(entry => entry.Action == AuditAction.EventStatusChanged));
    }

    [Fact]
    public async Task ChangeAsync_WhileItsInsertIsUnderWay_WaitsForTheInsertAndChangesTheEvent()
    {
        // Admission stores the event while the pod's new run starts; the run's isolation may mark it processed first.
        var inserts = new Runs.HeldRequests(Azure.Core.RequestMethod.Post);
        using var heldTables = host.LedgerTablesThrough(inserts);
        await heldTables.EnsureCreatedAsync(CancellationToken.None);
        using var held = new SecurityEventLedger(heldTables);
        var record = Record(EventStatus.Unprocessed, null);
        inserts.Arm();

        var adding = held.AddAsync(record, CancellationToken.None);
        await inserts.Holding;
        var changing = held.ChangeAsync(record.Id, current => current with { Status = EventStatus.Processed }, (_, _) => [], CancellationToken.None);
        var waitedForTheInsert = !changing.IsCompleted;
        inserts.Release();
        var (_, created) = await adding;
        var changed = await changing;

        Assert.True(waitedForTheInsert);
        Assert.True(created);
        Assert.Equal(EventStatus.Processed, changed?.Status);
        Assert.Equal(EventStatus.Processed, (await events.GetAsync(record.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task AddAfterAsync_SendsNothingUntilTheTaskEnds_AndAChangeMeanwhileWaitsForTheInsert()
    {
        // Admission sends the event's insert once the pod's new run is stored; the run's isolation may mark it processed first.
        var runStored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var record = Record(EventStatus.Unprocessed, null);

        var adding = events.AddAfterAsync(record, () => runStored.Task, settle: null, CancellationToken.None);
        var changing = events.ChangeAsync(record.Id, current => current with { Status = EventStatus.Processed }, (_, _) => [], CancellationToken.None);
        var storedMeanwhile = await events.GetAsync(record.Id, CancellationToken.None);
        var changedMeanwhile = changing.IsCompleted;
        runStored.SetResult();
        var (_, created) = await adding;
        var changed = await changing;

        Assert.Null(storedMeanwhile);
        Assert.False(changedMeanwhile);
        Assert.True(created);
        Assert.Equal(EventStatus.Processed, changed?.Status);
        Assert.Equal(EventStatus.Processed, (await events.GetAsync(record.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task AddAfterAsync_TaskFailed_StoresTheEventAllTheSame()
    {
        // A run whose start failed leaves the alert's event to be stored: the sender's retry finds it.
        var record = Record(EventStatus.Unprocessed, null);

        var (stored, created) = await events.AddAfterAsync(record, () => Task.FromException(new InvalidOperationException("the run's insert failed")), settle: null, CancellationToken.None);

        Assert.True(created);
        Assert.Equal(record.ReceivedAt, stored.ReceivedAt);
        Assert.Equal(EventStatus.Unprocessed, (await events.GetAsync(record.Id, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task AddAsync_EventItsRunStored_KeepsItsStatus_AndAddsThePayloadAsReceived()
    {
        // The run stores the alert as it knows it, without the payload the sender posted; the redelivery carries it.
        var byRun = Record(EventStatus.Unprocessed, null);
        var record = AsDelivered(byRun);
        await events.ChangeAsync(record.Id, current => current with { Status = EventStatus.Processed }, (_, _) => [], CancellationToken.None, missing: byRun);

        var (stored, created) = await events.AddAsync(record, CancellationToken.None);

        Assert.False(created);
        Assert.Equal(byRun.ReceivedAt, stored.ReceivedAt);
        var now = await events.GetAsync(record.Id, CancellationToken.None);
        Assert.Equal(EventStatus.Processed, now?.Status);
        Assert.Equal("the sender", now!.Alert.Raw?.GetProperty("from").GetString());
    }

    [Fact]
    public async Task EnsureStored_EventNotStored_StoresIt_SayingTheRunStoredIt()
    {
        // The delivery that started the run did not store its event: the run's first step does.
        var byRun = Record(EventStatus.Unprocessed, null);

        await events.EnsureStoredAsync(byRun, CancellationToken.None);
        await events.EnsureStoredAsync(byRun with { StatusReason = "again" }, CancellationToken.None);

        var stored = await events.GetAsync(byRun.Id, CancellationToken.None);
        Assert.Equal(EventStatus.Unprocessed, stored?.Status);
        Assert.Null(stored!.StatusReason);
        var entry = Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, byRun.Id, CancellationToken.None));
        Assert.Equal(AuditAction.EventStoredByRun, entry.Action);
    }

    [Fact]
    public async Task EnsureStored_EventThisProcessStored_SendsNothing()
    {
        var counter = new StorageOperationCounter();
        using var tables = host.LedgerTablesThrough(counter);
        await tables.EnsureCreatedAsync(CancellationToken.None);
        using var counted = new SecurityEventLedger(tables);
        var record = Record(EventStatus.Unprocessed, null);
        await counted.AddAsync(record, CancellationToken.None);
        var before = counter.Count;

        await counted.EnsureStoredAsync(record with { StatusReason = "by the run" }, CancellationToken.None);

        Assert.Equal(before, counter.Count);
    }

    /// <param name="startedByFirst">
    /// The run's first step stores the event as soon as the run starts (from within what <c>first</c> starts), else once
    /// admission's call has returned. Admission sends the event's insert once the run is stored either way.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EnsureStored_WhileAdmissionsInsertWaits_WaitsForIt_AndLeavesAdmissionsEvent(bool startedByFirst)
    {
        var runStored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var byRun = Record(EventStatus.Unprocessed, null);
        Task? ensuring = null;

        var adding = events.AddAfterAsync(
            AsDelivered(byRun),
            first: () =>
            {
                ensuring = startedByFirst ? events.EnsureStoredAsync(byRun, CancellationToken.None) : null;
                return runStored.Task;
            },
            settle: null,
            CancellationToken.None);
        ensuring ??= events.EnsureStoredAsync(byRun, CancellationToken.None);
        var ensuredMeanwhile = ensuring.IsCompleted;
        runStored.SetResult();
        var (_, created) = await adding;
        await ensuring;

        Assert.False(ensuredMeanwhile);
        Assert.True(created);
        await AssertTheDeliveredEventStandsAsync(byRun.Id);
    }

    /// <summary>The event as its delivery posted it, with the payload as received; the run knows it without.</summary>
    private static SecurityEventRecord AsDelivered(SecurityEventRecord byRun) =>
        byRun with { Alert = byRun.Alert with { Raw = JsonDocument.Parse("""{"from":"the sender"}""").RootElement } };

    /// <summary>The delivery's insert stands: the payload as received, and no audit entry of a run storing it.</summary>
    private async Task AssertTheDeliveredEventStandsAsync(string id)
    {
        Assert.Equal("the sender", (await events.GetAsync(id, CancellationToken.None))!.Alert.Raw?.GetProperty("from").GetString());
        Assert.Empty(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None));
    }

    private static AuditEntry Changed(string id) => TestAudit.Entry(id, AuditAction.EventStatusChanged);

    private static SecurityEventRecord Record(EventStatus status, string? reason)
    {
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString(),
            Source = "falco",
            Category = AlertCategory.ReverseShell,
            Severity = Severity.Low,
            Time = new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero),
            Target = new AlertTarget { Cluster = "c1", Namespace = "payments", Pod = "api-1", Container = "api", Image = "contoso/api:1.2" },
        };
        return new SecurityEventRecord
        {
            Id = SecurityEventLedger.IdOf(alert),
            Alert = alert,
            Status = status,
            StatusReason = reason,
            ReceivedAt = alert.Time,
            ChangedAt = alert.Time,
            ChangedBy = "test",
        };
    }
}
