using System.Collections.Concurrent;

namespace Containment.Runs.Embedded;

/// <summary>
/// The durable timers of waiting runs, held in memory (they are rebuilt from storage at start-up), so that
/// waiting runs cost no storage operations until they are due.
/// </summary>
public sealed class RunTimers(TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, ITimer> timers = new(StringComparer.Ordinal);

    public int Count => timers.Count;

    /// <summary>Calls <paramref name="fire"/> at <paramref name="dueAt"/> (at once if it has passed), replacing the run's earlier timer.</summary>
    public void Set(string instanceId, DateTimeOffset dueAt, Action fire)
    {
        // Created stopped and stored first, so that a timer already due cannot fire before it is stored.
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                timers.TryRemove(new KeyValuePair<string, ITimer>(instanceId, timer!));
                fire();
            },
            state: null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        if (timers.TryRemove(instanceId, out var previous))
        {
            previous.Dispose();
        }

        timers[instanceId] = timer;
        var delay = dueAt - time.GetUtcNow();
        timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    public void Cancel(string instanceId)
    {
        if (timers.TryRemove(instanceId, out var timer))
        {
            timer.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var timer in timers.Values)
        {
            timer.Dispose();
        }

        timers.Clear();
    }
}
