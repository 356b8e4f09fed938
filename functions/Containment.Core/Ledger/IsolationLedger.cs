using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>Isolation records, one per pod, changed only by ETag-checked read-modify-write.</summary>
public sealed class IsolationLedger(LedgerTables tables) : IDisposable
{
    private readonly JsonRecordTable<IsolationRecord> records = new(
        tables,
        tables.Isolations,
        "isolation",
        "isolation record",
        record => new Dictionary<string, object>
        {
            // The record is stored whole as JSON; these columns exist for filtering.
            ["Status"] = record.Status.ToString(),
            ["Cluster"] = record.Cluster,
            ["Namespace"] = record.Namespace,
        },
        PlaceOf);

    public async Task<IsolationRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await records.ReadAsync(id, cancellationToken))?.Record;

    /// <summary>
    /// One page of records, the last changed first. A record changed while a client pages moves to the head of the list:
    /// it is on the client's next first page, not on the page after.
    /// </summary>
    public Task<Page<IsolationRecord>> ListAsync(IsolationQuery query, CancellationToken cancellationToken) =>
        records.PageNewestFirstAsync(Filter(query), query.Limit, query.After, record => Takes(query, record), cancellationToken);

    /// <summary>Every record that <paramref name="query"/>'s filters take, in no particular order, read page by page as they are taken.</summary>
    public IAsyncEnumerable<IsolationRecord> ReadAllAsync(IsolationQuery query, CancellationToken cancellationToken) =>
        records.QueryAsync(Filter(query), cancellationToken);

    /// <summary>Whether <paramref name="query"/>'s filters take <paramref name="record"/>, as storage compares the columns.</summary>
    private static bool Takes(IsolationQuery query, IsolationRecord record) =>
        (query.Status is not { } status || record.Status == status)
        && (query.Cluster is not { } cluster || string.Equals(record.Cluster, cluster, StringComparison.Ordinal))
        && (query.Namespace is not { } ns || string.Equals(record.Namespace, ns, StringComparison.Ordinal));

    private static string? Filter(IsolationQuery query)
    {
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

        return filters.Count == 0 ? null : string.Join(" and ", filters);
    }

    /// <summary>A record's place in the list: its last change.</summary>
    private static PageCursor PlaceOf(IsolationRecord record) => new(record.ChangedAt, record.Id);

    /// <summary>
    /// Applies <paramref name="change"/> to the current record (null when there is none) and stores the
    /// result. A change that returns null, or the same record, writes nothing.
    /// </summary>
    /// <param name="likelyNew">The caller expects no record yet (a first isolation): insert before reading.</param>
    /// <param name="audit">The audit entries that tell of a change from the first record (null: none) to the second, written with it.</param>
    public Task<IsolationRecord?> ChangeAsync(
        string id,
        Func<IsolationRecord?, IsolationRecord?> change,
        CancellationToken cancellationToken,
        bool likelyNew = false,
        Func<IsolationRecord?, IsolationRecord, IReadOnlyList<AuditEntry>>? audit = null) =>
        records.ChangeAsync(
            id,
            current =>
            {
                var next = change(current);
                return next is not null && next.Id != id
                    ? throw new ArgumentException($"the change turned record '{id}' into '{next.Id}'", nameof(change))
                    : next;
            },
            likelyNew,
            audit,
            cancellationToken);

    public void Dispose() => records.Dispose();
}
