using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>Security events: each alert stored once, with its playbook, its run and its processing status.</summary>
public sealed class SecurityEventLedger(LedgerTables tables)
{
    private const string RowKey = "event";

    /// <summary>The event id of an alert: its source and its detector id.</summary>
    public static string IdOf(Alert alert) => $"{alert.Source}:{alert.Id}";

    /// <summary>Stores the event unless it is already stored; either way returns the stored one, and whether it was new.</summary>
    public async Task<(SecurityEventRecord Record, bool Created)> AddAsync(SecurityEventRecord record, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        try
        {
            await tables.Events.AddEntityAsync(ToEntity(record), cancellationToken);
            return (record, true);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            // Delivered before: the first delivery's record stands.
            return ((await ReadAsync(record.Id, cancellationToken))!.Value.Record, false);
        }
    }

    public async Task<SecurityEventRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync(id, cancellationToken))?.Record;

    public async Task<IReadOnlyList<SecurityEventRecord>> ListAsync(EventStatus? status, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = status is { } wanted ? TableClient.CreateQueryFilter($"Status eq {wanted.ToString()}") : null;
        var records = new List<SecurityEventRecord>();
        await foreach (var entity in tables.Events.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(FromEntity(entity));
        }

        return records.OrderByDescending(record => record.ReceivedAt).ToList();
    }

    /// <summary>Read-modify-write with the row's ETag, like <see cref="IsolationLedger.ChangeAsync"/>. Null when there is no such event.</summary>
    public async Task<SecurityEventRecord?> ChangeAsync(string id, Func<SecurityEventRecord, SecurityEventRecord> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= tables.MaxConcurrencyRetries; attempt++)
        {
            if (await ReadAsync(id, cancellationToken) is not { } current)
            {
                return null;
            }

            var next = change(current.Record);
            if (next == current.Record)
            {
                return next;
            }

            try
            {
                await tables.Events.UpdateEntityAsync(ToEntity(next), current.ETag, TableUpdateMode.Replace, cancellationToken);
                return next;
            }
            catch (RequestFailedException exception) when (exception.Status == 412)
            {
                // Lost a race: apply the change to the newer version.
            }
        }

        throw new ConcurrencyConflictException($"security event '{id}' kept changing under {tables.MaxConcurrencyRetries} attempts to update it");
    }

    private async Task<(SecurityEventRecord Record, ETag ETag)?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var response = await tables.Events.GetEntityIfExistsAsync<TableEntity>(TableKey.Encode(id), RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? (FromEntity(response.Value!), response.Value!.ETag) : null;
    }

    private static TableEntity ToEntity(SecurityEventRecord record)
    {
        var entity = new TableEntity(TableKey.Encode(record.Id), RowKey)
        {
        ["Status"] = record.Status.ToString(),
        };
        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        return entity;
    }

    private static SecurityEventRecord FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<SecurityEventRecord>(TableJson.Read(entity, "Record"), ContainmentJson.Options)
        ?? throw new InvalidDataException($"event row {entity.PartitionKey} holds no record");
}
