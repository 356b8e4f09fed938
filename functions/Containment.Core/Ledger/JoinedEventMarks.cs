using System.Collections.Concurrent;

namespace Containment.Ledger;

/// <summary>
/// What this process knows of the runs that alerts joined, so that an isolation lists its run's joined rows only
/// when a join can have written one, and a join reads the isolation record only when the isolation's listing may
/// have missed its row. Where runs are driven by more than one process (Durable Functions) it knows nothing: every
/// isolation lists and every join reads. Where one process drives them (the embedded runtime) it knows every run
/// that started after <see cref="OneProcess"/> was made, or after it last forgot (past <see cref="Capacity"/>);
/// of older runs, which an earlier process may have joined, it knows nothing. Why no row is missed: the isolation
/// notes its listing before it looks for a join's note, and a join notes itself before it looks for the listing's
/// (and <see cref="JoinedEventLedger"/> orders the storage operations the same way).
/// </summary>
public sealed class JoinedEventMarks
{
    /// <summary>How many runs of each kind are kept; past it, everything is forgotten, and runs started before then are asked of storage.</summary>
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<(string IsolationId, DateTimeOffset RunStartedAt), byte> joined = new();
    private readonly ConcurrentDictionary<(string IsolationId, DateTimeOffset RunStartedAt), byte> listed = new();
    private readonly TimeProvider? time;
    private long knownAfterTicks;

    private JoinedEventMarks(TimeProvider? time)
    {
        this.time = time;
        knownAfterTicks = time?.GetUtcNow().UtcTicks ?? long.MaxValue;
    }

    /// <summary>For runs that several processes drive: nothing is known.</summary>
    public static JoinedEventMarks Shared() => new(time: null);

    /// <summary>For runs that only this process drives, from now on.</summary>
    public static JoinedEventMarks OneProcess(TimeProvider time) => new(time);

    /// <summary>A join of the run is about to write its row.</summary>
    public void Joining(string isolationId, DateTimeOffset runStartedAt) => Remember(joined, (isolationId, runStartedAt));

    /// <summary>The run's isolation, its record written, is about to list the run's joined rows: whether it must.</summary>
    public bool Listing(string isolationId, DateTimeOffset runStartedAt)
    {
        Remember(listed, (isolationId, runStartedAt));
        var wasJoined = joined.TryRemove((isolationId, runStartedAt), out _);

        // Read after the lookup: forgetting moves the bound before it clears.
        return wasJoined || !Knows(runStartedAt);
    }

    /// <summary>
    /// The run's listing, or its marking, failed: the isolation's retry must list again, since <see cref="Listing"/>
    /// took the join's note.
    /// </summary>
    public void ListingFailed(string isolationId, DateTimeOffset runStartedAt) => Joining(isolationId, runStartedAt);

    /// <summary>A join's row is written: whether the run's isolation has listed already (the join then marks its own event); null when unknown.</summary>
    public bool? HasListed(string isolationId, DateTimeOffset runStartedAt)
    {
        var hasListed = listed.ContainsKey((isolationId, runStartedAt));
        return Knows(runStartedAt) ? hasListed : null;
    }

    /// <summary>
    /// Runs started until now are no longer known: another process may have joined them (it held the runtime's tables
    /// while this one did not), so their isolations list and their joins read.
    /// </summary>
    public void Forget()
    {
        if (time is null)
        {
            return;
        }

        // The bound moves first, so that whoever misses a cleared entry also sees the new bound.
        Volatile.Write(ref knownAfterTicks, time.GetUtcNow().UtcTicks);
        joined.Clear();
        listed.Clear();
    }

    private bool Knows(DateTimeOffset runStartedAt) => runStartedAt.UtcTicks > Volatile.Read(ref knownAfterTicks);

    private void Remember(ConcurrentDictionary<(string, DateTimeOffset), byte> runs, (string, DateTimeOffset) run)
    {
        if (time is null)
        {
            return;
        }

        if (runs.Count >= Capacity)
        {
            Forget();
        }

        runs[run] = 0;
    }
}
