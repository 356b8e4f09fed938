using System.Collections.Concurrent;

namespace Containment.Runs.Embedded;

/// <summary>
/// How the runs this process finished ended, so that a late redelivery of an alert is told from a new one
/// without a read. Bounded: past the capacity the oldest endings are forgotten, and asking for one costs a read.
/// </summary>
internal sealed class EndedRuns(int capacity)
{
    private readonly ConcurrentDictionary<string, RunProgress> ended = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();

    public RunProgress? Get(string instanceId) => ended.TryGetValue(instanceId, out var progress) ? progress : null;

    public void Add(string instanceId, RunProgress progress)
    {
        ended[instanceId] = progress;
        order.Enqueue(instanceId);
        while (order.Count > capacity && order.TryDequeue(out var oldest))
        {
            // An id that ended twice may lose its later ending here: forgetting only costs a read.
            ended.TryRemove(oldest, out _);
        }
    }

    /// <summary>Forgets every ending (see <see cref="EmbeddedRuntime.ForgetRuns"/>).</summary>
    public void Clear()
    {
        ended.Clear();
        order.Clear();
    }

    /// <summary>Forgets the ending of a run that starts again under the same id.</summary>
    public void Remove(string instanceId) => ended.TryRemove(instanceId, out _);
}
