using System.Collections.Concurrent;

namespace Containment.Runs.Embedded;

/// <summary>
/// The durable timers of waiting runs, held in memory (they are rebuilt from storage at start-up), so that
/// waiting runs cost no storage operations until they are due.
/// </summary>
public sealed class RunTimers(TimeProvider time) : IDisposable
{
    /// <summary>
    /// The longest a timer is set for: a system timer holds at most 2^32 - 2 ms (about 49.7 days), and a playbook may
    /// wait longer. A timer set for this long that fires before its run is due is set again.
    /// </summary>
    public static readonly TimeSpan LongestTimer = TimeSpan.FromDays(30);

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
                if (time.GetUtcNow() < dueAt)
                {
                    // Set for LongestTimer, short of the run's due time: set again, unless the run's timer changed meanwhile.
                    if (timers.TryGetValue(instanceId, out var current) && ReferenceEquals(current, timer))
                    {
                        Set(instanceId, dueAt, fire);
                    }

                    return;
                }

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
        timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay > LongestTimer ? LongestTimer : delay, Timeout.InfiniteTimeSpan);
    }

    public void Cancel(string instanceId)
    {
        if (timers.TryRemove(instanceId, out var timer))
        {
            timer.Dispose();
        }
    }

    /// <summary>Cancels every timer: they are set again from the stored deadlines as the runs are picked up.</summary>
    public void CancelAll()
    {
        foreach (var instanceId in timers.Keys)
        {
            Cancel(instanceId);
        }
    }

    public void Dispose() => CancelAll();
}
