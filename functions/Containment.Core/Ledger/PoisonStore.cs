using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// Unreadable payloads with the reason they were refused. Their keys count down (<see cref="PoisonKey"/>), so
/// the newest come first in the table's own order and a page of them is one range read, however many are kept.
/// </summary>
public sealed class PoisonStore(LedgerTables tables, TimeProvider time)
{
    /// <summary>
    /// The body as kept, in characters: a sender's text in full up to what a request carries for most alerts. The record
    /// is stored as JSON in numbered properties (<see cref="TableJson"/>), so escaping that lengthens it (quotes,
    /// backslashes, control characters) still fits the row.
    /// </summary>
    public const int MaxBodyCharacters = 30_000;

    /// <summary>The reason as kept, in characters; a reason holds the problems told to the sender, each cut already.</summary>
    public const int MaxReasonCharacters = 120_000;

    public async Task<PoisonRecord> AddAsync(string receiver, string? contentType, string reason, string body, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var key = PoisonKey.New(now);
        var record = new PoisonRecord
        {
            Id = key.Id,
            ReceivedAt = now,
            Receiver = receiver,
            ContentType = contentType,
            Reason = TextCut.WithEllipsis(reason, MaxReasonCharacters),
            Body = TextCut.ToLength(body, MaxBodyCharacters),
            BodyTruncated = body.Length > MaxBodyCharacters,
        };
        var entity = new TableEntity(key.PartitionKey, key.RowKey);
        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        await UniqueRowInsert.AddAsync(tables.Poison, entity, cancellationToken);
        return record;
    }

    /// <summary>The record <paramref name="id"/> names; null when there is none, or the id is not one this store made.</summary>
    public async Task<PoisonRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!PoisonKey.TryParse(id, out var key))
        {
            return null;
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        var response = await tables.Poison.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>A page of records, newest first, beginning after <paramref name="after"/> (null: the newest).</summary>
    public async Task<Page<PoisonRecord>> ListAsync(int limit, PoisonKey? after, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await tables.EnsureCreatedAsync(cancellationToken);
        var records = new List<PoisonRecord>(limit + 1);
        await foreach (var entity in tables.Poison.QueryAsync<TableEntity>(PoisonKey.After(after), maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            records.Add(FromEntity(entity));
            if (records.Count > limit)
            {
                break;
            }
        }

        var more = records.Count > limit;
        var page = more ? records[..limit] : records;
        return new Page<PoisonRecord>(page, more ? new PageCursor(page[^1].ReceivedAt, page[^1].Id) : null);
    }

    private static PoisonRecord FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<PoisonRecord>(TableJson.Read(entity, "Record"), ContainmentJson.Options)
        ?? throw new InvalidDataException($"poison row {entity.PartitionKey}/{entity.RowKey} holds no record");
}
