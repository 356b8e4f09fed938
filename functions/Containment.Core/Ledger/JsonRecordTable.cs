using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// Records of one kind stored whole as JSON, one row per id (the id is the partition key), with extra
/// columns for filtering. Changes are read-modify-write with the row's ETag: a writer that loses a race
/// reads again and reapplies its change, so no update is ever lost or overwritten.
/// </summary>
/// <param name="rowKey">The row key rows of this kind shared before each row had its own (see <see cref="RowKeyLayout"/>).</param>
internal sealed class JsonRecordTable<T>(LedgerTables tables, TableClient table, string rowKey, string kind, Func<T, IReadOnlyDictionary<string, object>> columns)
    where T : class
{
    private readonly RowKeyLayout layout = new(table, rowKey);

    public async Task<(T Record, ETag ETag)?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var partitionKey = TableKey.Encode(id);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, await layout.RowKeyAsync(partitionKey, cancellationToken), cancellationToken: cancellationToken);
        return response.HasValue ? (FromEntity(response.Value!), response.Value!.ETag) : null;
    }

    /// <summary>Adds the record unless a row with its id exists; true when it was added.</summary>
    public async Task<bool> AddAsync(string id, T record, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        try
        {
            await table.AddEntityAsync(await ToEntityAsync(id, record, cancellationToken), cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored record (null when there is none) and stores the result.
    /// A change that returns null, or the same record, writes nothing; the stored record is returned.
    /// </summary>
    /// <param name="likelyNew">Try an insert before reading: one operation when there is no record yet, one more when there is.</param>
    public async Task<T?> ChangeAsync(string id, Func<T?, T?> change, bool likelyNew, CancellationToken cancellationToken)
    {
        if (likelyNew && change(null) is { } created)
        {
            if (await AddAsync(id, created, cancellationToken))
            {
                return created;
            }
        }

        for (var attempt = 1; attempt <= tables.MaxConcurrencyRetries; attempt++)
        {
            var current = await ReadAsync(id, cancellationToken);
            var next = change(current?.Record);
            if (next is null || next == current?.Record)
            {
                return current?.Record;
            }

            try
            {
                if (current is null)
                {
                    await table.AddEntityAsync(await ToEntityAsync(id, next, cancellationToken), cancellationToken);
                }
                else
                {
                    await table.UpdateEntityAsync(await ToEntityAsync(id, next, cancellationToken), current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return next;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412)
            {
                // Another writer got there first: read its version and apply the change to that.
            }
        }

        throw new ConcurrencyConflictException($"{kind} '{id}' kept changing under {tables.MaxConcurrencyRetries} attempts to update it");
    }

    /// <summary>Every record matching the OData filter (null: all).</summary>
    public async Task<List<T>> ListAsync(string? filter, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var records = new List<T>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(FromEntity(entity));
        }

        return records;
    }

    private async Task<TableEntity> ToEntityAsync(string id, T record, CancellationToken cancellationToken)
    {
        var partitionKey = TableKey.Encode(id);
        var entity = new TableEntity(partitionKey, await layout.RowKeyAsync(partitionKey, cancellationToken));
        foreach (var (name, value) in columns(record))
        {
            entity[name] = value;
        }

        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        return entity;
    }

    private T FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<T>(TableJson.Read(entity, "Record"), ContainmentJson.Options)
        ?? throw new InvalidDataException($"{kind} row {entity.PartitionKey} holds no record");
}
