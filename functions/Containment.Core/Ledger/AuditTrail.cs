using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// The append-only audit trail: rows are added, never updated or deleted, and read back in time order. Entries
/// that go with a change of a record are written by the record's ledger in the change's own transaction; this
/// class appends the ones that change no record, and reads a subject's entries.
/// </summary>
public sealed class AuditTrail(LedgerTables tables)
{
    public async Task AppendAsync(AuditSubject subject, AuditEntry entry, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await UniqueRowInsert.AddAsync(tables.Of(subject), AuditRows.ToEntity(entry), cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditSubject subject, string subjectId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        await foreach (var entity in tables.Of(subject).QueryAsync<TableEntity>(AuditRows.Filter(subjectId), cancellationToken: cancellationToken))
        {
            entries.Add(AuditRows.FromEntity(entity));
        }

        return entries;
    }
}
