using System.Collections.Concurrent;
using Containment.Runs.Machine;

namespace Containment.Runs.Embedded;

/// <summary>
/// Each unfinished run's state as this process last wrote or read it, with the row's ETag, so that a raise
/// or a timer's drive need not read it again. Only the holder of the run's lock changes an entry, so an
/// entry is never older than this process's own last write; a status read takes the entry as it is, a whole
/// state as some moment's write left it. Another process's write makes it stale;
/// the holder's next write, ETag-checked, finds that out, and the holder reads the row. Bounded: past the
/// capacity, further runs are not kept and cost a read.
/// </summary>
internal sealed class RunCache(int capacity)
{
    private readonly ConcurrentDictionary<string, StoredRun> runs = new(StringComparer.Ordinal);
    private int count;

    public StoredRun? Get(string instanceId) => runs.TryGetValue(instanceId, out var run) ? run : null;

    /// <summary>Keeps the run as just written or read; a finished run is dropped.</summary>
    public void Put(StoredRun run)
    {
        var instanceId = run.State.InstanceId;
        if (run.State.Phase == RunPhase.Finished)
        {
            Remove(instanceId);
        }
        else if (runs.ContainsKey(instanceId))
        {
            runs[instanceId] = run;
        }
        else if (Interlocked.Increment(ref count) <= capacity)
        {
            runs[instanceId] = run;
        }
        else
        {
            Interlocked.Decrement(ref count);
        }
    }

    /// <summary>Forgets every run (see <see cref="EmbeddedRuntime.ForgetRuns"/>).</summary>
    public void Clear()
    {
        foreach (var instanceId in runs.Keys)
        {
            Remove(instanceId);
        }
    }

    public void Remove(string instanceId)
    {
        if (runs.TryRemove(instanceId, out _))
        {
            Interlocked.Decrement(ref count);
        }
    }
}
