using Containment.Ledger;
using Containment.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Ledger;

/// <summary>Refused bodies kept and read back, each test over tables of its own so that it knows every record listed.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class PoisonStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset LateEvening = new(2026, 11, 23, 23, 59, 59, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(LateEvening);
    private readonly OwnLedgerTables own;
    private readonly PoisonStore poison;

    public PoisonStoreTests(LocalHostFixture host)
    {
        own = new OwnLedgerTables(host, "Poison");
        poison = new PoisonStore(own.Tables, time);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => own.DeleteAsync();

    public void Dispose() => own.Dispose();

    [Fact]
    public async Task Add_ReasonLongerThanARowHolds_IsKeptCut()
    {
        var reason = new string('r', 500_000);

        var added = await poison.AddAsync("api/alerts", "application/json", reason, "{", CancellationToken.None);
        var read = await poison.GetAsync(added.Id, CancellationToken.None);

        Assert.Equal(PoisonStore.MaxReasonCharacters, read!.Reason.Length);
        Assert.EndsWith("r…", read.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FollowingNext_GivesEveryRecordOnce_NewestFirst_AcrossDays()
    {
        // Seven records over three days, two of them received in the same tick: pages of three, then one.
        var received = await AddAsync(
            TimeSpan.Zero, TimeSpan.FromTicks(1), TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromHours(30), TimeSpan.FromSeconds(1), TimeSpan.FromDays(2));

        var pages = new List<Page<PoisonRecord>>();
        PoisonKey? after = null;
        do
        {
            pages.Add(await poison.ListAsync(3, after, CancellationToken.None));
            after = PlaceAfter(pages[^1]);
        }
        while (pages[^1].Next is not null);

        var listed = pages.SelectMany(page => page.Items).Select(record => record.Id).ToList();
        Assert.Equal([3, 3, 1], pages.Select(page => page.Items.Count));
        Assert.Equal(received.OrderByDescending(record => record.ReceivedAt).ThenBy(record => record.Id, StringComparer.Ordinal).Select(record => record.Id), listed);
    }

    [Fact]
    public async Task List_RecordsAddedBetweenPages_NeitherRepeatNorShiftTheNextPage()
    {
        var older = await AddAsync(TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var first = await poison.ListAsync(2, after: null, CancellationToken.None);

        var newer = await AddAsync(TimeSpan.FromSeconds(1));
        var rest = await poison.ListAsync(10, PlaceAfter(first), CancellationToken.None);
        var again = await poison.ListAsync(1, after: null, CancellationToken.None);

        Assert.Equal([older[3].Id, older[2].Id], first.Items.Select(record => record.Id));
        Assert.Equal([older[1].Id, older[0].Id], rest.Items.Select(record => record.Id));
        Assert.Null(rest.Next);
        Assert.Equal(newer[0].Id, Assert.Single(again.Items).Id);
    }

    [Fact]
    public async Task List_NoRecords_IsOneEmptyPage()
    {
        var page = await poison.ListAsync(10, after: null, CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Null(page.Next);
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\\')]
    [InlineData('\u0001')]
    public async Task Add_BodyThatJsonEscapingLengthens_IsKeptWhole(char character)
    {
        // Kept as JSON, each of these takes two to six characters: a body of them is several times a table property's 32K.
        var body = new string(character, PoisonStore.MaxBodyCharacters);

        var added = await poison.AddAsync("api/alerts", "application/json", "malformed JSON", body, CancellationToken.None);
        var read = await poison.GetAsync(added.Id, CancellationToken.None);

        Assert.Equal(body, read!.Body);
        Assert.False(read.BodyTruncated);
    }

    [Fact]
    public async Task Add_BodyOverTheLimit_KeepsItsBeginningAndSaysSo()
    {
        var body = string.Concat(Enumerable.Range(0, PoisonStore.MaxBodyCharacters / 10 + 5).Select(index => $"{index,9}\n"));

        var added = await poison.AddAsync("api/eventgrid", "application/json", "unrecognised alert format", body, CancellationToken.None);
        var read = await poison.GetAsync(added.Id, CancellationToken.None);

        Assert.Equal(body[..PoisonStore.MaxBodyCharacters], read!.Body);
        Assert.True(read.BodyTruncated);
        Assert.Equal(("api/eventgrid", "application/json", "unrecognised alert format", LateEvening), (read.Receiver, read.ContentType, read.Reason, read.ReceivedAt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../../etc/passwd")]
    [InlineData("0639000000000000000-0123456789ab")]
    [InlineData("0639000000000000000-0123456789AB")]
    [InlineData("0639000000000000000_0123456789ab")]
    [InlineData("9999999999999999999-0123456789ab")]
    [InlineData("0639000000000000000-0123456789abc")]
    [InlineData("PartitionKey ge 'day-'")]
    public async Task Get_IdNoRecordHas_IsNull(string id)
    {
        await AddAsync(TimeSpan.Zero);

        Assert.Null(await poison.GetAsync(id, CancellationToken.None));
    }

    /// <summary>Where the page after <paramref name="page"/> begins, as the API reads it from the cursor; null when none follows.</summary>
    private static PoisonKey? PlaceAfter(Page<PoisonRecord> page) =>
        page.Next is { } next ? (PoisonKey.TryParse(next.Id, out var place) ? place : throw new InvalidOperationException($"the cursor's id {next.Id} is not a poison record's")) : null;

    /// <summary>Adds a record after each step of the clock, in order.</summary>
    private async Task<List<PoisonRecord>> AddAsync(params TimeSpan[] steps)
    {
        var added = new List<PoisonRecord>();
        foreach (var step in steps)
        {
            time.Advance(step);
            added.Add(await poison.AddAsync("api/alerts", "application/json", "malformed JSON", "{", CancellationToken.None));
        }

        return added;
    }
}
