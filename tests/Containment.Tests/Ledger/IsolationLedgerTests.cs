using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Ledger;

[Collection(LocalHostCollection.Name)]
public sealed class IsolationLedgerTests(LocalHostFixture host)
{
    private readonly IsolationLedger ledger = host.Get<IsolationLedger>();

    [Fact]
    public async Task ChangeAsync_NewRecord_IsStoredAndReadBack()
    {
        var id = NewId();

        await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Failed), CancellationToken.None);
        var stored = await ledger.GetAsync(id, CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(IsolationStatus.Failed, stored.Status);
        Assert.Equal("payments", stored.Namespace);
    }

    [Fact]
    public async Task ChangeAsync_LikelyNewButRecordExists_ChangesTheStoredRecord()
    {
        var id = NewId();
        await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Released) with { AlertIds = ["a"] }, CancellationToken.None);

        await ledger.ChangeAsync(id, current => (current ?? Record(id, IsolationStatus.Isolated)) with { Status = IsolationStatus.Isolated, AlertIds = [.. current?.AlertIds ?? [], "b"] }, CancellationToken.None, likelyNew: true);
        var stored = await ledger.GetAsync(id, CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, stored!.Status);
        Assert.Equal(["a", "b"], stored.AlertIds);
    }

    [Fact]
    public async Task ChangeAsync_ConcurrentWriters_LoseNoUpdate()
    {
        var id = NewId();
        await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Isolated), CancellationToken.None);

        // Twenty writers each add their own alert id at once; every one must survive.
        var writers = Enumerable.Range(0, 20).Select(index => Task.Run(() => ledger.ChangeAsync(
            id,
            current => current! with { AlertIds = [.. current.AlertIds, $"alert-{index}"] },
            CancellationToken.None)));
        await Task.WhenAll(writers);

        var stored = await ledger.GetAsync(id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 20).Select(index => $"alert-{index}").Order(), stored!.AlertIds.Order());
    }

    [Fact]
    public async Task ChangeAsync_WithAuditEntry_WritesBothAndListsOnlyTheRecord()
    {
        var id = NewId();
        var entry = TestAudit.Entry(id, AuditAction.Isolated);

        await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Isolated), CancellationToken.None, likelyNew: true, audit: (_, _) => [entry]);
        await ledger.ChangeAsync(id, current => current, CancellationToken.None, audit: (_, _) => [entry]);
        var listed = await ledger.ReadAllAsync(new IsolationQuery(Namespace: "payments"), CancellationToken.None).ToListAsync();
        var rows = await host.Get<LedgerTables>().Isolations.QueryAsync<Azure.Data.Tables.TableEntity>(filter: $"PartitionKey eq '{id}'").ToListAsync();

        Assert.Single(listed, record => record.Id == id);
        Assert.Equal(AuditAction.Isolated, Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Action);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.NotEqual(row.PartitionKey, row.RowKey));
    }

    [Fact]
    public async Task ChangeAsync_AuditEntryAboutAnotherSubject_IsRefusedAndNothingIsWritten()
    {
        var id = NewId();

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Isolated), CancellationToken.None, audit: (_, _) => [TestAudit.Entry("another", AuditAction.Isolated)]));

        Assert.Null(await ledger.GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task ChangeAsync_ChangeReturnsNull_WritesNothing()
    {
        var id = NewId();

        var result = await ledger.ChangeAsync(id, _ => null, CancellationToken.None);

        Assert.Null(result);
        Assert.Null(await ledger.GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_PagesTheLastChangedFirst_AndARecordChangedMeanwhileMovesToTheHead()
    {
        var cluster = "cluster-" + Guid.NewGuid().ToString("N")[..6];
        var ids = Enumerable.Range(0, 5).Select(_ => NewId()).ToArray();
        for (var index = 0; index < ids.Length; index++)
        {
            var id = ids[index];
            await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Isolated) with { Cluster = cluster, ChangedAt = Noon.AddMinutes(index) }, CancellationToken.None);
        }

        var first = await ledger.ListAsync(new IsolationQuery(Cluster: cluster, Limit: 2), CancellationToken.None);
        await ledger.ChangeAsync(ids[0], current => current! with { Status = IsolationStatus.Released, ChangedAt = Noon.AddMinutes(10) }, CancellationToken.None);
        var second = await ledger.ListAsync(new IsolationQuery(Cluster: cluster, Limit: 2, After: first.Next), CancellationToken.None);
        var firstAgain = await ledger.ListAsync(new IsolationQuery(Cluster: cluster, Limit: 2), CancellationToken.None);

        Assert.Equal([ids[4], ids[3]], first.Items.Select(record => record.Id));
        Assert.Equal([ids[2], ids[1]], second.Items.Select(record => record.Id));
        Assert.Null(second.Next);
        Assert.Equal([ids[0], ids[4]], firstAgain.Items.Select(record => record.Id));
    }

    [Theory]
    [InlineData(false, 3, new[] { 3, 4, 2 })]
    [InlineData(true, 1, new[] { 2, 0 })]
    public async Task ListAsync_RecordChangedBetweenChoosingThePageAndReadingIt_IsWhereItsChangePutIt(bool afterFirstPage, int changed, int[] expected)
    {
        // Five records changed a minute apart (ids[4] last); one changes again once the page is chosen, before its reads.
        var cluster = "cluster-" + Guid.NewGuid().ToString("N")[..6];
        var ids = Enumerable.Range(0, 5).Select(_ => NewId()).ToArray();
        for (var index = 0; index < ids.Length; index++)
        {
            var id = ids[index];
            await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Isolated) with { Cluster = cluster, ChangedAt = Noon.AddMinutes(index) }, CancellationToken.None);
        }

        var after = afterFirstPage ? (await ledger.ListAsync(new IsolationQuery(Cluster: cluster, Limit: 2), CancellationToken.None)).Next : null;
        var between = new BeforePointReads(() => ledger.ChangeAsync(ids[changed], current => current! with { ChangedAt = Noon.AddMinutes(10) }, CancellationToken.None));
        using var tables = host.LedgerTablesThrough(between);
        using var racing = new IsolationLedger(tables);

        var page = await racing.ListAsync(new IsolationQuery(Cluster: cluster, Limit: 3, After: after), CancellationToken.None);

        // On the first page the changed record goes to the head; on a later page, which its change put it ahead of,
        // it is left out (the client's next first page has it).
        Assert.True(between.Ran);
        Assert.Equal(expected.Select(index => ids[index]), page.Items.Select(record => record.Id));
    }

    [Fact]
    public async Task ListAsync_Filters_ReturnOnlyMatches()
    {
        var cluster = "cluster-" + Guid.NewGuid().ToString("N")[..6];
        var isolated = NewId();
        var released = NewId();
        await ledger.ChangeAsync(isolated, _ => Record(isolated, IsolationStatus.Isolated) with { Cluster = cluster }, CancellationToken.None);
        await ledger.ChangeAsync(released, _ => Record(released, IsolationStatus.Released) with { Cluster = cluster, Namespace = "web" }, CancellationToken.None);

        var byStatus = await ledger.ListAsync(new IsolationQuery(IsolationStatus.Isolated, cluster), CancellationToken.None);
        var byNamespace = await ledger.ListAsync(new IsolationQuery(Cluster: cluster, Namespace: "web"), CancellationToken.None);

        Assert.Equal([isolated], byStatus.Items.Select(record => record.Id));
        Assert.Equal([released], byNamespace.Items.Select(record => record.Id));
    }

    [Fact]
    public async Task ChangeAsync_IdWithReservedCharacters_IsStored()
    {
        var id = "/subscriptions/x/managedClusters/c#1?/ns\\pod%" + Guid.NewGuid().ToString("N")[..6];

        await ledger.ChangeAsync(id, _ => Record(id, IsolationStatus.Isolated), CancellationToken.None);

        Assert.Equal(id, (await ledger.GetAsync(id, CancellationToken.None))!.Id);
    }

    private static readonly DateTimeOffset Noon = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static string NewId() => "c1~payments~api-" + Guid.NewGuid().ToString("N")[..8];

    private static IsolationRecord Record(string id, IsolationStatus status) => TestIsolations.Record(id, status);
}
