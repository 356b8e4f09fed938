using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// Audit entries as rows beside their subject's record (same table, same partition), so that a change and
/// the entry that tells of it are written in one transaction. Row keys start with the time, so rows sort by it.
/// </summary>
internal static class AuditRows
{
    private const string Prefix = "audit~";

    /// <param name="order">Where the entry comes among those of one instant written together: they list in that order.</param>
    public static TableEntity ToEntity(AuditEntry entry, int order = 0)
    {
        // The suffix keeps two entries of one instant apart, in the order they were written together.
        var rowKey = Prefix + entry.At.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "~" + order.ToString("D2", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..10];
        var entity = new TableEntity(TableKey.Encode(entry.SubjectId), rowKey) { ["Action"] = entry.Action.ToString() };
        TableJson.Write(entity, "Entry", JsonSerializer.Serialize(entry, ContainmentJson.Options));
        return entity;
    }

    /// <summary>The entry's insert, in a transaction on the partition of <paramref name="subjectId"/>.</summary>
    public static TableTransactionAction Add(AuditEntry entry, string subjectId, int order = 0) => entry.SubjectId == subjectId
        ? new(TableTransactionActionType.Add, ToEntity(entry, order))
        : throw new ArgumentException($"an audit entry about '{entry.SubjectId}' cannot go with a change of '{subjectId}'", nameof(entry));

    public static AuditEntry FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<AuditEntry>(TableJson.Read(entity, "Entry"), ContainmentJson.Options)
        ?? throw new InvalidDataException($"audit row {entity.PartitionKey}/{entity.RowKey} holds no entry");

    /// <summary>The audit rows of one subject's partition.</summary>
    public static string Filter(string subjectId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {TableKey.Encode(subjectId)} and RowKey ge {Prefix} and RowKey lt {"audit\u007f"}");
}
