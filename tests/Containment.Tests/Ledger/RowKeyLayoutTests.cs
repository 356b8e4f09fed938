using System.Text.Json;
using Azure.Data.Tables;
using Containment.Alerts;
using Containment.Ledger;
using Containment.Tests.Support;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Ledger;

/// <summary>
/// Ledger rows carry their id as row key in a new table, and keep the shared row key (<c>event</c>) in a
/// table written before: records stored by an earlier version are still found, and never stored twice.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RowKeyLayoutTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task NewTable_EachRowHasItsOwnRowKey()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        using var tables = Tables(prefix);
        using var events = new SecurityEventLedger(tables);
        var record = Record();

        await events.AddAsync(record, CancellationToken.None);
        var row = await SingleRowAsync(tables.Events);

        Assert.Equal(TableKey.Encode(record.Id), row.PartitionKey);
        Assert.Equal(row.PartitionKey, row.RowKey);
        Assert.Equal(record.Id, (await events.GetAsync(record.Id, CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task TableWrittenBefore_KeepsTheSharedRowKey()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        using var tables = Tables(prefix);
        var earlier = Record();
        await tables.Events.CreateIfNotExistsAsync();
        var row = new TableEntity(TableKey.Encode(earlier.Id), "event") { ["Status"] = earlier.Status.ToString() };
        TableJson.Write(row, "Record", JsonSerializer.Serialize(earlier, ContainmentJson.Options));
        await tables.Events.AddEntityAsync(row);
        using var events = new SecurityEventLedger(tables);
        var later = Record();

        var (_, earlierAgain) = await events.AddAsync(earlier with { Playbook = "another" }, CancellationToken.None);
        var (_, laterCreated) = await events.AddAsync(later, CancellationToken.None);
        var changed = await events.ChangeAsync(earlier.Id, record => record with { Status = EventStatus.Processed }, CancellationToken.None);
        var rows = await tables.Events.QueryAsync<TableEntity>().ToListAsync();

        Assert.False(earlierAgain);
        Assert.True(laterCreated);
        Assert.Equal(EventStatus.Processed, changed!.Status);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, stored => Assert.Equal("event", stored.RowKey));
        Assert.Equal(EventStatus.Processed, (await events.GetAsync(earlier.Id, CancellationToken.None))!.Status);
    }

    private LedgerTables Tables(string prefix) =>
        new(new TableServiceClient(azurite.ConnectionString), Options.Create(new LedgerOptions { TablePrefix = prefix }));

    private static async Task<TableEntity> SingleRowAsync(TableClient table) => Assert.Single(await table.QueryAsync<TableEntity>().ToListAsync());

    private static SecurityEventRecord Record() => SecurityEventLedgerTests.Record(EventStatus.Unprocessed, reason: null);
}
