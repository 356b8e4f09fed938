using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Notifications;

/// <summary>Fake time that also records every delay asked of it, so tests check waits exactly rather than by elapsed time.</summary>
internal sealed class RecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
