using System.Collections.Concurrent;

namespace Containment.Runs.Embedded;

/// <summary>
/// The runs that may have buffered event rows, so that a run entering a wait lists its rows only when
/// there can be some. Why no event is lost:
/// <list type="bullet">
/// <item>A raise that buffers writes the row, then marks the run, then starts a drive; a drive takes the
/// mark before it lists. If the drive takes it after the raise marked, its listing comes after the row was
/// written and finds it. If before, the raise's mark stays, and the raise's own drive, which can only run
/// once this one has let go of the run's lock, finds the mark and lists.</item>
/// <item>A listing that leaves rows behind (for a later wait) marks the run again; a listing that fails
/// puts the mark back.</item>
/// <item>Marks live in memory: at start-up every unfinished run is marked, for rows an earlier process
/// left. Another process's raise marks the run in that process, whose drive lists there.</item>
/// </list>
/// </summary>
internal sealed class BufferedEventMarks
{
    private readonly ConcurrentDictionary<string, byte> marked = new(StringComparer.Ordinal);

    /// <summary>Call only once the row is written.</summary>
    public void Mark(string instanceId) => marked[instanceId] = 0;

    /// <summary>Clears the mark; true if it was set, when the caller must list the run's rows.</summary>
    public bool Take(string instanceId) => marked.TryRemove(instanceId, out _);
}
