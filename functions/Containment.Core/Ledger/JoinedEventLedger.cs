using System.Globalization;
using Azure.Data.Tables;
using Containment.Alerts;

namespace Containment.Ledger;

/// <summary>
/// Alerts that joined a pod's run before the run isolated the pod: a row each beside the pod's isolation record,
/// under the run's start, so that the isolation marks them processed as it marks the run's own alert. Why none is
/// missed: the isolation writes its record (which names the run) and then lists the rows; a join writes its row and
/// then reads the record. Either the listing finds the row, or the read finds the record and the join marks its
/// event itself. Where <see cref="JoinedEventMarks"/> knows the run, it spares the isolation a listing no join can
/// have written for, and the join the read.
/// </summary>
/// <remarks>A pod's isolation record and its runs share one id, which keys the rows' partition.</remarks>
public sealed class JoinedEventLedger(LedgerTables tables, IsolationLedger isolations, SecurityEventLedger events, JoinedEventMarks marks, TimeProvider time)
{
    /// <summary>How many joined events an isolation marks at once.</summary>
    public const int MarkedAtOnce = 8;

    private const string RowPrefix = "joined~";
    private const string EventIdColumn = "EventId";

    /// <summary>Why a joined event is processed.</summary>
    public static string ProcessedReason(string instanceId) => $"the run it joined ({instanceId}) isolated its pod";

    /// <summary>
    /// Keeps the event, stored unprocessed, for the isolation of the run it joined; marks it processed at once when
    /// that run has isolated the pod already.
    /// </summary>
    public async Task JoinAsync(string eventId, string instanceId, DateTimeOffset runStartedAt, string actor, CancellationToken cancellationToken)
    {
        if (IsolatedByRun(instanceId, runStartedAt))
        {
            await MarkAsync(eventId, instanceId, actor, cancellationToken);
            return;
        }

        marks.Joining(instanceId, runStartedAt);
        await tables.EnsureCreatedAsync(cancellationToken);
        var row = new TableEntity(TableKey.Encode(instanceId), TableKey.Encode(RowPrefixOf(runStartedAt) + eventId)) { [EventIdColumn] = eventId };

        // A 409 is this same row: the key is the run and the event.
        await UniqueRowInsert.AddAsync(tables.Isolations, row, cancellationToken);
        var listed = marks.HasListed(instanceId, runStartedAt)
            ?? await isolations.GetAsync(instanceId, cancellationToken) is { IsolatingRunStartedAt: { } isolating } && isolating == runStartedAt;
        if (listed)
        {
            await MarkAsync(eventId, instanceId, actor, cancellationToken);
        }
    }

    /// <summary>
    /// Whether this process knows that the run has isolated the pod (its isolation has written its record): an event
    /// that joins it from now on is processed as it is stored. False also when unknown.
    /// </summary>
    public bool IsolatedByRun(string instanceId, DateTimeOffset runStartedAt) => marks.HasListed(instanceId, runStartedAt) == true;

    /// <summary>Marks processed the events that joined the run before it isolated the pod. Call once the isolation's record is written.</summary>
    public async Task MarkJoinedAsync(string instanceId, DateTimeOffset runStartedAt, string actor, CancellationToken cancellationToken)
    {
        if (!marks.Listing(instanceId, runStartedAt))
        {
            return;
        }

        try
        {
            await ListAndMarkAsync(instanceId, runStartedAt, actor, cancellationToken);
        }
        catch (Exception)
        {
            // The isolation fails and is tried again: its retry lists again (marking twice changes nothing).
            marks.ListingFailed(instanceId, runStartedAt);
            throw;
        }
    }

    private async Task ListAndMarkAsync(string instanceId, DateTimeOffset runStartedAt, string actor, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var prefix = RowPrefixOf(runStartedAt);

        // Every key with the prefix sorts below the prefix with its last character ('~') raised by one.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKey.Encode(instanceId)} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + "\u007f"}");
        var joined = new List<string>();
        await foreach (var row in tables.Isolations.QueryAsync<TableEntity>(filter, select: [EventIdColumn], cancellationToken: cancellationToken))
        {
            joined.Add(row.GetString(EventIdColumn));
        }

        await Parallel.ForEachAsync(
            joined,
            new ParallelOptions { MaxDegreeOfParallelism = MarkedAtOnce, CancellationToken = cancellationToken },
            async (eventId, token) => await MarkAsync(eventId, instanceId, actor, token));
    }

    private static string RowPrefixOf(DateTimeOffset runStartedAt) =>
        RowPrefix + runStartedAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "~";

    /// <summary>An unprocessed event becomes processed; one a person or its own run has set meanwhile stays as it is.</summary>
    private Task<SecurityEventRecord?> MarkAsync(string eventId, string instanceId, string actor, CancellationToken cancellationToken) =>
        events.SetStatusAsync(
            eventId,
            EventStatus.Processed,
            ProcessedReason(instanceId),
            actor,
            time.GetUtcNow(),
            instanceId,
            cancellationToken,
            applies: current => current.Status == EventStatus.Unprocessed);
}
