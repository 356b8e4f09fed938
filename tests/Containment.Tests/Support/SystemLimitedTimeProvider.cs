using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Support;

/// <summary>
/// Fake time whose timers refuse what the system's refuse: a due time or period over 2^32 - 2 ms (about 49.7 days),
/// or negative but for the infinite one. <see cref="FakeTimeProvider"/> alone takes any.
/// </summary>
internal sealed class SystemLimitedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private const double MaxMilliseconds = 4294967294;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Check(dueTime, nameof(dueTime));
        Check(period, nameof(period));
        return new LimitedTimer(base.CreateTimer(callback, state, dueTime, period));
    }

    private static void Check(TimeSpan value, string name)
    {
        if (value != Timeout.InfiniteTimeSpan && (value.TotalMilliseconds < 0 || value.TotalMilliseconds > MaxMilliseconds))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be less than or equal to '{MaxMilliseconds}' ms");
        }
    }

    private sealed class LimitedTimer(ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Check(dueTime, nameof(dueTime));
            Check(period, nameof(period));
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
