using System.Collections.Concurrent;
using Azure.Data.Tables;
using Containment.Alerts;
using Microsoft.Extensions.Caching.Memory;

namespace Containment.Ledger;

/// <summary>Security events: each alert stored once, with its playbook, its run and its processing status.</summary>
public sealed class SecurityEventLedger(LedgerTables tables) : IDisposable
{
    /// <summary>How many recently stored event ids are kept in memory.</summary>
    public const int RecentEvents = 200_000;

    // Redeliveries (Event Grid retries, SIEM resends, alert storms) are answered from memory: the
    // stored record never changes its playbook, so the answer is the one storage would give.
    private readonly MemoryCache recent = new(new MemoryCacheOptions { SizeLimit = RecentEvents });

    // Inserts under way in this process, by event id, so that a change waits for the insert it would otherwise miss.
    private readonly ConcurrentDictionary<string, Task> inserting = new(StringComparer.Ordinal);

    private readonly JsonRecordTable<SecurityEventRecord> records = new(
        tables,
        tables.Events,
        "event",
        "security event",
        record => new Dictionary<string, object> { ["Status"] = record.Status.ToString() },
        PlaceOf);

    /// <summary>The event id of an alert: its source and its detector id.</summary>
    public static string IdOf(Alert alert) => $"{alert.Source}{AlertChecks.SourceEnd}{alert.Id}";

    /// <summary>
    /// Stores the event unless it is already stored; either way the stored event's playbook and arrival, and
    /// whether it was new. The record says itself when it came and what took it; its audit trail starts with
    /// its first change.
    /// </summary>
    public Task<(KnownEvent Stored, bool Created)> AddAsync(SecurityEventRecord record, CancellationToken cancellationToken) =>
        AddAfterAsync(record, first: () => Task.CompletedTask, settle: null, cancellationToken);

    /// <summary>
    /// As <see cref="AddAsync"/>, with the insert sent once the task <paramref name="first"/> starts has finished, whatever
    /// its outcome, and the record then passed through <paramref name="settle"/> (what that task found may change it).
    /// The event counts as being inserted before <paramref name="first"/> is called: whatever it starts (a run whose first
    /// step stores or marks the event), and any change made meanwhile, waits for the insert, as for one under way.
    /// <paramref name="first"/> is called also when the event is known to be stored already.
    /// </summary>
    public async Task<(KnownEvent Stored, bool Created)> AddAfterAsync(
        SecurityEventRecord record, Func<Task> first, Func<SecurityEventRecord, SecurityEventRecord>? settle, CancellationToken cancellationToken)
    {
        if (recent.TryGetValue(record.Id, out KnownEvent? known))
        {
            // The caller keeps what it started, and awaits it.
            _ = first();
            return (known!, false);
        }

        var inserted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        inserting[record.Id] = inserted.Task;
        try
        {
            return await AddStoredAsync(record, first(), settle, cancellationToken);
        }
        finally
        {
            inserted.SetResult();
            inserting.TryRemove(KeyValuePair.Create(record.Id, inserted.Task));
        }
    }

    private async Task<(KnownEvent Stored, bool Created)> AddStoredAsync(
        SecurityEventRecord record, Task after, Func<SecurityEventRecord, SecurityEventRecord>? settle, CancellationToken cancellationToken)
    {
        await after.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        record = settle?.Invoke(record) ?? record;
        var created = await records.AddAsync(record.Id, record, [], cancellationToken);

        // Delivered before: the first delivery's record stands. One its run stored (the delivery that started the run
        // did not store its event) lacks the payload as received, which this delivery carries.
        var stored = created ? record : (await records.ReadAsync(record.Id, cancellationToken))!.Value.Record;
        if (!created && stored.Alert.Raw is null && record.Alert.Raw is { } raw)
        {
            stored = await records.ChangeAsync(
                record.Id, current => current is { Alert.Raw: null } ? current with { Alert = current.Alert with { Raw = raw } } : current, likelyNew: false, audit: null, cancellationToken) ?? stored;
        }

        var known = new KnownEvent(stored.ReceivedAt, stored.Playbook);
        recent.Set(record.Id, known, new MemoryCacheEntryOptions { Size = 1 });
        return (created ? known : known with { StatusRead = stored.Status }, created);
    }

    /// <summary>
    /// Forgets that the event is stored, so that its next delivery reads it: an admission that failed after storing it
    /// may have left undone what that delivery must then do (keep its join), which a delivery known from memory skips.
    /// </summary>
    public void Forget(string id) => recent.Remove(id);

    public async Task<SecurityEventRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await records.ReadAsync(id, cancellationToken))?.Record;

    /// <summary>
    /// One page of events, newest first by arrival. Table Storage keeps events by id, not by arrival, so each page
    /// looks at every event of the status asked for, by its arrival and id alone (not the record with its alert's
    /// payload), then reads the page's events (<see cref="JsonRecordTable{T}.PageNewestFirstAsync"/>).
    /// </summary>
    public Task<Page<SecurityEventRecord>> ListAsync(EventQuery query, CancellationToken cancellationToken) =>
        records.PageNewestFirstAsync(StatusFilter(query.Status), query.Limit, query.After, record => query.Status is null || record.Status == query.Status, cancellationToken);

    /// <summary>An event's place in the list: its arrival, which never changes.</summary>
    private static PageCursor PlaceOf(SecurityEventRecord record) => new(record.ReceivedAt, record.Id);

    /// <summary>Every event of <paramref name="status"/> (null: all), in no particular order, read page by page as they are taken.</summary>
    public IAsyncEnumerable<SecurityEventRecord> ReadAllAsync(EventStatus? status, CancellationToken cancellationToken) =>
        records.QueryAsync(StatusFilter(status), cancellationToken);

    private static string? StatusFilter(EventStatus? status) =>
        status is { } wanted ? TableClient.CreateQueryFilter($"Status eq {wanted.ToString()}") : null;

    /// <summary>
    /// ETag-checked read-modify-write of an event; null when there is no such event and no <paramref name="missing"/>. A change of an event
    /// whose insert this process has under way or waiting waits for it: admission stores the event once the pod's new
    /// run is stored, and the run's isolation marks the event processed.
    /// </summary>
    /// <param name="audit">The audit entries that tell of a change from the first record to the second, written with it.</param>
    /// <param name="missing">
    /// The record to change and store when there is none (a run whose delivery did not store its event); null: none is stored.
    /// </param>
    public async Task<SecurityEventRecord?> ChangeAsync(
        string id,
        Func<SecurityEventRecord, SecurityEventRecord> change,
        Func<SecurityEventRecord, SecurityEventRecord, IReadOnlyList<AuditEntry>> audit,
        CancellationToken cancellationToken,
        SecurityEventRecord? missing = null)
    {
        if (inserting.TryGetValue(id, out var insert))
        {
            // Its failure is its caller's to report; here it only means there may be no event to change.
            await insert.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return await records.ChangeAsync(
            id,
            current => (current ?? missing) is { } record ? change(record) : null,
            likelyNew: false,
            (before, after) => before is null ? [StoredByRun(missing!), .. ReferenceEquals(after, missing) ? [] : audit(missing!, after)] : audit(before, after),
            cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="missing"/>, the event of a run whose delivery did not store it (its insert failed after the
    /// run's, or the host stopped in between), unless the event is stored. Costs nothing for an event this process stored
    /// (an insert under way is waited for), else one insert.
    /// </summary>
    public async Task EnsureStoredAsync(SecurityEventRecord missing, CancellationToken cancellationToken)
    {
        if (inserting.TryGetValue(missing.Id, out var insert))
        {
            await insert.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!recent.TryGetValue(missing.Id, out _))
        {
            await records.AddAsync(missing.Id, missing, [StoredByRun(missing)], cancellationToken);
        }
    }

    /// <summary>
    /// Sets the event's status and reason, with the <see cref="AuditAction.EventStatusChanged"/> entry that tells of
    /// it, unless it has that status already or <paramref name="applies"/> says the stored record does not take it;
    /// as <see cref="ChangeAsync"/> otherwise.
    /// </summary>
    public Task<SecurityEventRecord?> SetStatusAsync(
        string id,
        EventStatus status,
        string? reason,
        string actor,
        DateTimeOffset at,
        string? runInstanceId,
        CancellationToken cancellationToken,
        Func<SecurityEventRecord, bool>? applies = null,
        SecurityEventRecord? missing = null) =>
        ChangeAsync(
            id,
            current => current.Status != status && (applies?.Invoke(current) ?? true)
                ? current with { Status = status, StatusReason = reason, ChangedAt = at, ChangedBy = actor }
                : current,
            (before, _) => [AuditEntry.EventStatusChanged(id, before.Status, status, reason, actor, at, runInstanceId)],
            cancellationToken,
            missing);

    private static AuditEntry StoredByRun(SecurityEventRecord record) => new()
    {
        SubjectId = record.Id,
        Action = AuditAction.EventStoredByRun,
        At = record.ChangedAt,
        Actor = record.ChangedBy,
        RunInstanceId = record.RunInstanceId,
        Detail = "the delivery that started the run did not store its event; the run stored the alert as it knows it, without the payload as received, which a redelivery adds",
    };

    public void Dispose()
    {
        recent.Dispose();
        records.Dispose();
    }
}

/// <summary>
/// What admission needs of a stored event: its playbook and when it first arrived; and its status where this delivery
/// read the stored event (one delivered before by a process that did not keep it in memory), null otherwise.
/// </summary>
public sealed record KnownEvent(DateTimeOffset ReceivedAt, string? Playbook = null)
{
    public EventStatus? StatusRead { get; init; }
}
