using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>The append-only audit trail: rows are added, never updated or deleted, and read back in time order.</summary>
public sealed class AuditTrail(LedgerTables tables)
{
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);

        // Time first so that rows sort by time; the suffix keeps two entries of one instant apart.
        var rowKey = entry.At.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
        var entity = new TableEntity(TableKey.Encode(entry.SubjectId), rowKey)
        {
            ["Entry"] = JsonSerializer.Serialize(entry, ContainmentJson.Options),
            ["Action"] = entry.Action.ToString(),
        };
        await tables.Audit.AddEntityAsync(entity, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string subjectId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKey.Encode(subjectId)}");
        await foreach (var entity in tables.Audit.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(JsonSerializer.Deserialize<AuditEntry>(entity.GetString("Entry"), ContainmentJson.Options)
                ?? throw new InvalidDataException($"audit row {entity.RowKey} holds no entry"));
        }

        return entries;
    }
}
