namespace Containment.Ledger;

/// <summary>A page of records, newest first, and where the next page begins (null: this is the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, PageCursor? Next = null);

/// <summary>Pages cut from records that storage keeps in another order than the list's.</summary>
public static class Page
{
    public const int DefaultLimit = 100;

    /// <summary>The most records a page holds: an event carries its alert's payload as received, up to the body limit.</summary>
    public const int MaxLimit = 500;

    /// <summary>
    /// The page of <paramref name="limit"/> records after <paramref name="after"/> (null: from the newest), newest first by
    /// <paramref name="placeOf"/>, cut from <paramref name="records"/> read in any order. Holds no more of them than the
    /// page and one more, to know whether a page follows.
    /// </summary>
    public static async Task<Page<T>> NewestFirstAsync<T>(
        IAsyncEnumerable<T> records, Func<T, PageCursor> placeOf, int limit, PageCursor? after, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        // The first out is the last newest first.
        var oldestFirst = Comparer<PageCursor>.Create(static (x, y) => PageCursor.NewestFirst.Compare(y, x));
        var kept = new PriorityQueue<T, PageCursor>(limit + 1, oldestFirst);
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            var place = placeOf(record);
            if (after is { } cursor && !cursor.Precedes(place))
            {
                continue;
            }

            if (kept.Count <= limit)
            {
                kept.Enqueue(record, place);
            }
            else
            {
                kept.EnqueueDequeue(record, place);
            }
        }

        var more = kept.Count > limit;
        if (more)
        {
            kept.Dequeue();
        }

        var page = new T[kept.Count];
        for (var index = page.Length - 1; index >= 0; index--)
        {
            page[index] = kept.Dequeue();
        }

        return new Page<T>(page, more ? placeOf(page[^1]) : null);
    }
}
