using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// The row key of a record table's rows. Rows used to share one row key per kind (<c>event</c>), and Azurite
/// finds a row by scanning every row with its row key: with 20,000 events each insert and read was a scan. A
/// new table gives each row its partition key as row key too; a table written before keeps the shared key.
/// Every row of a table has one layout, so the first row tells which (one query per process and table).
/// </summary>
internal sealed class RowKeyLayout(TableClient table, string sharedRowKey)
{
    private Task<bool>? shared;

    public async ValueTask<string> RowKeyAsync(string partitionKey, CancellationToken cancellationToken) =>
        await SharedAsync(cancellationToken) ? sharedRowKey : partitionKey;

    private Task<bool> SharedAsync(CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref shared);
        if (known is null || known.IsFaulted || known.IsCanceled)
        {
            // Not tied to one caller's token; a failed look is made again by the next caller. Callers racing here
            // look twice and find the same answer.
            known = DetectAsync();
            Volatile.Write(ref shared, known);
        }

        return known.WaitAsync(cancellationToken);
    }

    private async Task<bool> DetectAsync()
    {
        await foreach (var page in table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1, select: ["RowKey"]).AsPages())
        {
            if (page.Values.Count > 0)
            {
                // A new-layout row whose id is the shared key itself repeats it in both keys.
                var first = page.Values[0];
                return first.RowKey == sharedRowKey && first.PartitionKey != sharedRowKey;
            }
        }

        return false;
    }
}
