using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>Unreadable payloads with the reason they were refused, partitioned by day.</summary>
public sealed class PoisonStore(LedgerTables tables, TimeProvider time)
{
    /// <summary>Table string properties hold 64 KiB (32K UTF-16 characters); keep room for the rest of the row.</summary>
    public const int MaxBodyCharacters = 30_000;

    public async Task<PoisonRecord> AddAsync(string receiver, string? contentType, string reason, string body, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var record = new PoisonRecord
        {
            Id = now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12],
            ReceivedAt = now,
            Receiver = receiver,
            ContentType = contentType,
            Reason = reason,
            Body = TextCut.ToLength(body, MaxBodyCharacters),
            BodyTruncated = body.Length > MaxBodyCharacters,
        };
        var entity = new TableEntity(now.ToString("yyyyMMdd", CultureInfo.InvariantCulture), record.Id)
        {
            ["Record"] = JsonSerializer.Serialize(record, ContainmentJson.Options),
        };
        await UniqueRowInsert.AddAsync(tables.Poison, entity, cancellationToken);
        return record;
    }

    public async Task<IReadOnlyList<PoisonRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var records = new List<PoisonRecord>();
        await foreach (var entity in tables.Poison.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            records.Add(JsonSerializer.Deserialize<PoisonRecord>(entity.GetString("Record"), ContainmentJson.Options)!);
        }

        return records;
    }
}
