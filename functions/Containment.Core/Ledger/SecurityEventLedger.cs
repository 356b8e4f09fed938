using Azure.Data.Tables;
using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>Security events: each alert stored once, with its playbook, its run and its processing status.</summary>
public sealed class SecurityEventLedger(LedgerTables tables)
{
    private readonly JsonRecordTable<SecurityEventRecord> records = new(
        tables,
        tables.Events,
        "event",
        "security event",
        record => new Dictionary<string, object> { ["Status"] = record.Status.ToString() });

    /// <summary>The event id of an alert: its source and its detector id.</summary>
    public static string IdOf(Alert alert) => $"{alert.Source}:{alert.Id}";

    /// <summary>Stores the event unless it is already stored; either way returns the stored one, and whether it was new.</summary>
    public async Task<(SecurityEventRecord Record, bool Created)> AddAsync(SecurityEventRecord record, CancellationToken cancellationToken)
    {
        if (await records.AddAsync(record.Id, record, cancellationToken))
        {
            return (record, true);
        }

        // Delivered before: the first delivery's record stands.
        return ((await records.ReadAsync(record.Id, cancellationToken))!.Value.Record, false);
    }

    public async Task<SecurityEventRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await records.ReadAsync(id, cancellationToken))?.Record;

    public async Task<IReadOnlyList<SecurityEventRecord>> ListAsync(EventStatus? status, CancellationToken cancellationToken)
    {
        var filter = status is { } wanted ? TableClient.CreateQueryFilter($"Status eq {wanted.ToString()}") : null;
        var found = await records.ListAsync(filter, cancellationToken);
        return found.OrderByDescending(record => record.ReceivedAt).ToList();
    }

    /// <summary>ETag-checked read-modify-write of an existing event; null when there is no such event.</summary>
    public Task<SecurityEventRecord?> ChangeAsync(string id, Func<SecurityEventRecord, SecurityEventRecord> change, CancellationToken cancellationToken) =>
        records.ChangeAsync(id, current => current is null ? null : change(current), cancellationToken);
}
