using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// Isolation records, one per pod. Changes are read-modify-write with the row's ETag: a writer that loses
/// a race reads again and reapplies its change, so no update is ever lost or overwritten.
/// </summary>
public sealed class IsolationLedger(LedgerTables tables)
{
    private const string RowKey = "isolation";

    public async Task<IsolationRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync(id, cancellationToken))?.Record;

    public async Task<IReadOnlyList<IsolationRecord>> ListAsync(IsolationQuery query, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filters = new List<string>();
        if (query.Status is { } status)
        {
            filters.Add(TableClient.CreateQueryFilter($"Status eq {status.ToString()}"));
        }

        if (query.Cluster is { } cluster)
        {
            filters.Add(TableClient.CreateQueryFilter($"Cluster eq {cluster}"));
        }

        if (query.Namespace is { } ns)
        {
            filters.Add(TableClient.CreateQueryFilter($"Namespace eq {ns}"));
        }

        var records = new List<IsolationRecord>();
        var filter = filters.Count == 0 ? null : string.Join(" and ", filters);
        await foreach (var entity in tables.Isolations.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(FromEntity(entity));
        }

        return records.OrderByDescending(record => record.ChangedAt).ToList();
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current record (null when there is none yet) and stores the
    /// result. A change that returns null, or the same record, writes nothing.
    /// </summary>
    public async Task<IsolationRecord?> ChangeAsync(string id, Func<IsolationRecord?, IsolationRecord?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= tables.MaxConcurrencyRetries; attempt++)
        {
            var current = await ReadAsync(id, cancellationToken);
            var next = change(current?.Record);
            if (next is null || next == current?.Record)
            {
                return current?.Record;
            }

            if (next.Id != id)
            {
                throw new ArgumentException($"the change turned record '{id}' into '{next.Id}'", nameof(change));
            }

            try
            {
                var entity = ToEntity(next);
                if (current is null)
                {
                    await tables.Isolations.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await tables.Isolations.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return next;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412)
            {
                // Another writer got there first: read its version and apply the change to that.
            }
        }

        throw new ConcurrencyConflictException($"isolation record '{id}' kept changing under {tables.MaxConcurrencyRetries} attempts to update it");
    }

    private async Task<(IsolationRecord Record, ETag ETag)?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var response = await tables.Isolations.GetEntityIfExistsAsync<TableEntity>(TableKey.Encode(id), RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? (FromEntity(response.Value!), response.Value!.ETag) : null;
    }

    private static TableEntity ToEntity(IsolationRecord record)
    {
        var entity = new TableEntity(TableKey.Encode(record.Id), RowKey)
        {
        // The record is stored whole as JSON; the columns beside it exist for filtering.
        ["Status"] = record.Status.ToString(),
        ["Cluster"] = record.Cluster,
        ["Namespace"] = record.Namespace,
        };
        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        return entity;
    }

    private static IsolationRecord FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<IsolationRecord>(TableJson.Read(entity, "Record"), ContainmentJson.Options)
        ?? throw new InvalidDataException($"isolation row {entity.PartitionKey} holds no record");
}
