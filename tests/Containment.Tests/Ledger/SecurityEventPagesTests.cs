using Azure.Data.Tables;
using Containment.Alerts;
using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Ledger;

/// <summary>Pages of security events, each test over tables of its own so that it knows every event listed.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class SecurityEventPagesTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly OwnLedgerTables own;
    private readonly SecurityEventLedger events;

    public SecurityEventPagesTests(LocalHostFixture host)
    {
        own = new OwnLedgerTables(host, "Pages");
        events = new SecurityEventLedger(own.Tables);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => own.DeleteAsync();

    public void Dispose()
    {
        events.Dispose();
        own.Dispose();
    }

    [Fact]
    public async Task ListAsync_FollowingNext_GivesEveryEventOnce_NewestFirst_TiesById()
    {
        // Nine events, three pairs of which arrived at the same moment, one pair across two pages: three full pages,
        // the last saying none follows.
        var stored = await AddAsync(
            ("e", 5), ("a", 1), ("g", 7), ("c", 3), ("b", 3), ("f", 7), ("d", 4), ("i", 9), ("h", 9));

        var pages = await ListAllAsync(new EventQuery(Limit: 3));

        Assert.Equal([3, 3, 3], pages.Select(page => page.Items.Count));
        Assert.Equal(["h", "i", "f", "g", "e", "d", "b", "c", "a"], pages.SelectMany(page => page.Items).Select(NameOf));
        Assert.Null(pages[^1].Next);
        Assert.Equal(stored.Count, pages.SelectMany(page => page.Items).Select(record => record.Id).Distinct().Count());
    }

    [Fact]
    public async Task ListAsync_NoEvents_IsOneEmptyPage()
    {
        var page = await events.ListAsync(new EventQuery(), CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task ListAsync_EventsStoredBetweenPages_NeitherRepeatNorShiftTheNextPage()
    {
        await AddAsync(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5));
        var first = await events.ListAsync(new EventQuery(Limit: 2), CancellationToken.None);

        // A newer event belongs before the first page; one that arrived earlier than the cursor (a slow sender) after it.
        await AddAsync(("z", 10), ("b2", 2));
        var second = await events.ListAsync(new EventQuery(Limit: 2, After: first.Next), CancellationToken.None);
        var rest = await events.ListAsync(new EventQuery(After: second.Next), CancellationToken.None);

        Assert.Equal(["e", "d"], first.Items.Select(NameOf));
        Assert.Equal(["c", "b"], second.Items.Select(NameOf));
        Assert.Equal(["b2", "a"], rest.Items.Select(NameOf));
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task ListAsync_ByStatus_PagesOnlyThatStatus()
    {
        await AddAsync(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5));
        foreach (var name in new[] { "b", "d", "e" })
        {
            await events.ChangeAsync(IdOf(name), current => current with { Status = EventStatus.Processed }, (_, _) => [], CancellationToken.None);
        }

        var pages = await ListAllAsync(new EventQuery(EventStatus.Processed, Limit: 2));

        Assert.Equal([["e", "d"], ["b"]], pages.Select(page => page.Items.Select(NameOf).ToArray()));
        Assert.All(pages.SelectMany(page => page.Items), record => Assert.Equal(EventStatus.Processed, record.Status));
    }

    [Fact]
    public async Task ListAsync_EventChangedBetweenChoosingThePageAndReadingIt_IsLeftOutWhenItNoLongerHasTheStatus()
    {
        await AddAsync(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5));
        var between = new BeforePointReads(() => events.ChangeAsync(IdOf("d"), current => current with { Status = EventStatus.Processed }, (_, _) => [], CancellationToken.None));
        using var tables = own.Through(between);
        using var racing = new SecurityEventLedger(tables);

        var first = await racing.ListAsync(new EventQuery(EventStatus.Unprocessed, Limit: 3), CancellationToken.None);
        var rest = await racing.ListAsync(new EventQuery(EventStatus.Unprocessed, After: first.Next), CancellationToken.None);

        Assert.True(between.Ran);
        Assert.Equal(["e", "c"], first.Items.Select(NameOf));
        Assert.Equal(["b", "a"], rest.Items.Select(NameOf));
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task ListAsync_EventsStoredWithoutTheirPlacesColumns_TakeTheirPlaceFromTheRecord()
    {
        // Rows written before a list read an event's place from two columns of its own hold only the record.
        await AddAsync(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5));
        foreach (var name in new[] { "b", "e" })
        {
            var row = (await own.Tables.Events.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PlaceId eq {IdOf(name)}")).ToListAsync()).Single();
            row.Remove("PlaceTicks");
            row.Remove("PlaceId");
            await own.Tables.Events.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        }

        var pages = await ListAllAsync(new EventQuery(Limit: 2));

        Assert.Equal([["e", "d"], ["c", "b"], ["a"]], pages.Select(page => page.Items.Select(NameOf).ToArray()));
    }

    [Theory]
    [InlineData("falco:plain")]
    [InlineData("sentinel:with|bar|s")]
    [InlineData("defender:ünïcødé 🛡")]
    public void Cursor_ToToken_ReadsBackAsTheSamePlace(string id)
    {
        var cursor = new PageCursor(Noon.AddTicks(7), id);

        Assert.True(PageCursor.TryParse(cursor.ToToken(), out var read));
        Assert.Equal(cursor, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("YWJj")] // "abc": no separator
    [InlineData("MTJ8")] // "12|": no id
    [InlineData("fGlk")] // "|id": no arrival
    [InlineData("LTF8aWQ")] // "-1|id"
    [InlineData("OTk5OTk5OTk5OTk5OTk5OTk5OXxpZA")] // arrival beyond any date
    [InlineData("_w")] // not UTF-8
    public void Cursor_TryParse_RefusesWhatNoPageGave(string token)
    {
        Assert.False(PageCursor.TryParse(token, out _));
    }

    private async Task<List<Page<SecurityEventRecord>>> ListAllAsync(EventQuery query)
    {
        var pages = new List<Page<SecurityEventRecord>>();
        do
        {
            var page = await events.ListAsync(query, CancellationToken.None);
            pages.Add(page);
            query = query with { After = page.Next };
        }
        while (query.After is not null && pages.Count < 20);

        return pages;
    }

    /// <summary>Stores an event per name, arrived that many minutes past noon.</summary>
    private async Task<List<SecurityEventRecord>> AddAsync(params (string Name, int Minute)[] arrivals)
    {
        var stored = new List<SecurityEventRecord>();
        foreach (var (name, minute) in arrivals)
        {
            var at = Noon.AddMinutes(minute);
            var alert = new Alert
            {
                Id = name,
                Source = "falco",
                Category = AlertCategory.ReverseShell,
                Severity = Severity.High,
                Time = at,
                Target = new AlertTarget { Cluster = "c1", Namespace = "payments", Pod = "api-" + name },
            };
            var record = SecurityEventRecord.Unprocessed(alert, "quarantine", "run-" + name, at, "test");
            Assert.True((await events.AddAsync(record, CancellationToken.None)).Created);
            stored.Add(record);
        }

        return stored;
    }

    private static string IdOf(string name) => "falco:" + name;

    private static string NameOf(SecurityEventRecord record) => record.Alert.Id;
}
