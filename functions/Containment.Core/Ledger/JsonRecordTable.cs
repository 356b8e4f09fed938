using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Containment.Telemetry;
using Microsoft.Extensions.Caching.Memory;

namespace Containment.Ledger;

/// <summary>
/// Records of one kind stored whole as JSON, one row per id (the id is the partition key, and the row key is
/// the kind's prefix and the id), with extra columns for filtering. Changes are read-modify-write with the row's ETag: a writer that loses a race
/// reads again and reapplies its change, so no update is ever lost or overwritten. The audit entries of a
/// change go into the record's partition in the same transaction: an entry exists exactly when its change does.
/// </summary>
/// <param name="rowPrefix">Starts the row key of every record of the kind; the partition's other rows (audit, approvals) start otherwise.</param>
/// <param name="placeOf">A record's place in its list, kept in two columns of its row so that a page is chosen without reading the records (<see cref="PageNewestFirstAsync"/>); null: the kind is not listed.</param>
internal sealed partial class JsonRecordTable<T>(LedgerTables tables, TableClient table, string rowPrefix, string kind, Func<T, IReadOnlyDictionary<string, object>> columns, Func<T, PageCursor>? placeOf = null) : IDisposable
    where T : class
{
    // The version this process last wrote or read of each recent record: a change right after an insert or
    // another change (the common case) writes without reading. A version another process has since replaced
    // fails the ETag check, and the record is read again.
    private readonly MemoryCache latest = new(new MemoryCacheOptions { SizeLimit = tables.CachedRecords });

    public async Task<(T Record, ETag ETag)?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKey.Encode(id), RowKeyOf(id), cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            latest.Remove(id);
            return null;
        }

        var read = (FromEntity(response.Value!), response.Value!.ETag);
        Remember(id, read);
        return read;
    }

    /// <summary>Adds the record, with its audit entries, unless a row with its id exists; true when it was added.</summary>
    public async Task<bool> AddAsync(string id, T record, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        try
        {
            Remember(id, (record, await WriteAsync(id, record, etag: null, audit, cancellationToken)));
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
    /// <param name="audit">The entries that tell of a change from the first record (null: none) to the second.</param>
    public async Task<T?> ChangeAsync(string id, Func<T?, T?> change, bool likelyNew, Func<T?, T, IReadOnlyList<AuditEntry>>? audit, CancellationToken cancellationToken)
    {
        audit ??= static (_, _) => [];
        var known = Recall(id);
        if (likelyNew && known is null && change(null) is { } created)
        {
            if (await AddAsync(id, created, audit(null, created), cancellationToken))
            {
                return created;
            }
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        for (var attempt = 1; attempt <= tables.MaxConcurrencyRetries; attempt++)
        {
            var remembered = known;
            known = null;
            var current = remembered ?? await ReadAsync(id, cancellationToken);
            var next = change(current?.Record);
            if (next is null || next == current?.Record)
            {
                if (remembered is not null)
                {
                    // Nothing to write by this process's copy: make sure by the stored record.
                    continue;
                }

                return current?.Record;
            }

            try
            {
                Remember(id, (next, await WriteAsync(id, next, current?.ETag, audit(current?.Record, next), cancellationToken)));
                return next;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 or 404)
            {
                // Another writer got there first: read its version and apply the change to that.
                latest.Remove(id);
            }
        }

        throw new ConcurrencyConflictException($"{kind} '{id}' kept changing under {tables.MaxConcurrencyRetries} attempts to update it");
    }

    /// <summary>
    /// Every record matching the OData filter (null: all), read from storage page by page as they are taken; the
    /// partition's other rows are not records.
    /// </summary>
    public async IAsyncEnumerable<T> QueryAsync(string? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await foreach (var entity in table.QueryAsync<TableEntity>(OfRecords(filter), cancellationToken: cancellationToken))
        {
            yield return FromEntity(entity);
        }
    }

    /// <summary>The filter of the records' rows (not their partitions' audit and approval rows) that match <paramref name="filter"/> (null: all).</summary>
    private string OfRecords(string? filter)
    {
        var ofRecords = TableClient.CreateQueryFilter($"RowKey ge {rowPrefix + "~"} and RowKey lt {rowPrefix + "\u007f"}");
        return filter is null ? ofRecords : $"{ofRecords} and ({filter})";
    }

    public void Dispose() => latest.Dispose();

    /// <summary>Inserts (no ETag) or replaces (ETag-checked) the record; with audit entries, as one transaction.</summary>
    private async Task<ETag> WriteAsync(string id, T record, ETag? etag, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken)
    {
        var entity = ToEntity(id, record);
        using var span = ContainmentTelemetry.Source.StartActivity(ContainmentTelemetry.LedgerWrite);
        span?.SetTag(TelemetryTags.RecordKind, rowPrefix)
            .SetTag(TelemetryTags.RecordId, id)
            .SetTag(TelemetryTags.RecordStatus, entity.GetString("Status"))
            .SetTag(TelemetryTags.AuditEntries, audit.Count);
        try
        {
            if (audit.Count == 0)
            {
                var single = etag is { } match
                    ? await table.UpdateEntityAsync(entity, match, TableUpdateMode.Replace, cancellationToken)
                    : await table.AddEntityAsync(entity, cancellationToken);
                return single.Headers.ETag ?? default;
            }

            var actions = new List<TableTransactionAction>(audit.Count + 1)
            {
                etag is { } ifMatch
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, ifMatch)
                    : new TableTransactionAction(TableTransactionActionType.Add, entity),
            };
            actions.AddRange(audit.Select((entry, order) => AuditRows.Add(entry, id, order)));
            var responses = await table.SubmitTransactionAsync(actions, cancellationToken);
            return responses.Value[0].Headers.ETag ?? default;
        }
        catch (Exception exception) when (StorageFailure.In(exception) is { } storage)
        {
            // 409 and 412 are lost races the caller resolves; the span still tells the write did not happen.
            span?.SetStatus(ActivityStatusCode.Error, $"HTTP {storage.Status} {storage.ErrorCode}");
            throw;
        }
    }

    private void Remember(string id, (T Record, ETag ETag) version)
    {
        if (version.ETag == default)
        {
            latest.Remove(id);
            return;
        }

        latest.Set(id, version, new MemoryCacheEntryOptions { Size = 1 });
    }

    private (T Record, ETag ETag)? Recall(string id) =>
        latest.TryGetValue(id, out (T Record, ETag ETag) version) ? version : null;

    // Each row its own row key, not one per kind: Azurite finds a row by scanning the rows that share its row
    // key, which made every insert and read of a shared key a scan of the whole table.
    private string RowKeyOf(string id) => TableKey.Encode(rowPrefix + "~" + id);

    private TableEntity ToEntity(string id, T record)
    {
        var entity = new TableEntity(TableKey.Encode(id), RowKeyOf(id));
        foreach (var (name, value) in columns(record))
        {
            entity[name] = value;
        }

        if (placeOf?.Invoke(record) is { } place)
        {
            entity[PlaceTicksColumn] = place.At.UtcTicks;
            entity[PlaceIdColumn] = place.Id;
        }

        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        return entity;
    }

    private T FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<T>(TableJson.Read(entity, "Record"), ContainmentJson.Options)
        ?? throw new InvalidDataException($"{kind} row {entity.PartitionKey} holds no record");
}
