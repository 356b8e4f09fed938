using Azure;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// Inserts a row whose key was made for it (a time and a random suffix, or the hash of the one thing it stands for). A
/// 409 can then only be the row itself, written by an earlier try whose answer was lost and met again by the SDK's next
/// try, or by an earlier call for the same thing: the insert is done. The same holds for a transaction whose only
/// inserts are such rows, its other actions upserts, which cannot conflict: it landed whole, before.
/// </summary>
internal static class UniqueRowInsert
{
    public static async Task AddAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            // Already there: see above.
        }
    }

    public static async Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            // The transaction landed: see above.
        }
    }
}
