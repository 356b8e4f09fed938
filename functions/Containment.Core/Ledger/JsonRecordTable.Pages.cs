using System.Runtime.CompilerServices;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>Pages of records, newest first by their place, chosen from two columns of their rows before any record is read.</summary>
internal sealed partial class JsonRecordTable<T>
{
    /// <summary>A record's place: its moment to the tick, and its id.</summary>
    private const string PlaceTicksColumn = "PlaceTicks";

    private const string PlaceIdColumn = "PlaceId";

    /// <summary>How many of a page's records are read at once.</summary>
    private const int PageReads = 16;

    /// <summary>
    /// One page of the records matching the OData filter (null: all), newest first by place. Table Storage keeps records
    /// by id, so the page looks at every matching record, by its place's columns alone rather than the record, keeping
    /// no more places than the page and one more; then it reads the page's records. A record changed in between is
    /// on the page as read, where its place now is, if it still <paramref name="matches"/> and its place is still
    /// within the page's span; otherwise it is left out (a record whose change moved it ahead of the span is on the
    /// next first page), so a page may hold fewer than <paramref name="limit"/>. A record stored before its row had
    /// the place's columns is placed by the record itself.
    /// </summary>
    public async Task<Page<T>> PageNewestFirstAsync(string? filter, int limit, PageCursor? after, Func<T, bool> matches, CancellationToken cancellationToken)
    {
        var placeOfRecord = placeOf ?? throw new InvalidOperationException($"{kind} records have no place in a list");
        var chosen = await Page.NewestFirstAsync(PlacesAsync(filter, placeOfRecord, cancellationToken), located => located.Place, limit, after, cancellationToken);
        var read = new T?[chosen.Items.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, read.Length),
            new ParallelOptions { MaxDegreeOfParallelism = PageReads, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var located = chosen.Items[index];
                read[index] = located.Record ?? await ReadAtAsync(located.PartitionKey, located.RowKey, token);
            });
        return new Page<T>(AsRead(read, placeOfRecord, matches, after, chosen.Next), chosen.Next);
    }

    /// <summary>The page's records as read: those that still match and whose place still lies after
    /// <paramref name="after"/> and no later than <paramref name="next"/>, newest first by that place.</summary>
    private static T[] AsRead(T?[] read, Func<T, PageCursor> placeOf, Func<T, bool> matches, PageCursor? after, PageCursor? next) =>
        [.. read.OfType<T>()
            .Where(matches)
            .Select(record => (Record: record, Place: placeOf(record)))
            .Where(placed => (after is not { } start || start.Precedes(placed.Place)) && (next is not { } end || !end.Precedes(placed.Place)))
            .OrderBy(placed => placed.Place, PageCursor.NewestFirst)
            .Select(placed => placed.Record)];

    private async IAsyncEnumerable<Located> PlacesAsync(string? filter, Func<T, PageCursor> placeOfRecord, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        string[] select = [nameof(TableEntity.PartitionKey), nameof(TableEntity.RowKey), PlaceTicksColumn, PlaceIdColumn];
        await foreach (var row in table.QueryAsync<TableEntity>(OfRecords(filter), select: select, cancellationToken: cancellationToken))
        {
            if (row.GetInt64(PlaceTicksColumn) is { } ticks && row.GetString(PlaceIdColumn) is { } id)
            {
                yield return new Located(new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id), row.PartitionKey, row.RowKey);
            }
            else if (await ReadAtAsync(row.PartitionKey, row.RowKey, cancellationToken) is { } record)
            {
                yield return new Located(placeOfRecord(record), row.PartitionKey, row.RowKey, record);
            }
        }
    }

    private async Task<T?> ReadAtAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <param name="Record">The record when it had to be read to find its place; null: read once the page is chosen.</param>
    private sealed record Located(PageCursor Place, string PartitionKey, string RowKey, T? Record = null);
}
