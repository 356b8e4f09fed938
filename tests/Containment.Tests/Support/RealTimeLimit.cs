using System.Diagnostics;

namespace Containment.Tests.Support;

/// <summary>
/// A bound on the real time a test waits for what no fake clock drives (I/O, another process, a held request): past
/// it the test fails saying what did not come, rather than waiting on and holding up the whole run.
/// </summary>
internal readonly struct RealTimeLimit
{
    /// <summary>Far beyond what any wait takes on a loaded machine, short of stalling the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly long startedAt;
    private readonly TimeSpan within;

    private RealTimeLimit(TimeSpan within)
    {
        startedAt = Stopwatch.GetTimestamp();
        this.within = within;
    }

    public static RealTimeLimit Start(TimeSpan? within = null) => new(within ?? Patience);

    /// <summary>Fails the test with <paramref name="failure"/> once the limit has passed.</summary>
    public void Check(string failure)
    {
        if (Stopwatch.GetElapsedTime(startedAt) > within)
        {
            Assert.Fail($"{failure} (waited {within} of real time)");
        }
    }

    /// <summary>Polls <paramref name="done"/> every few milliseconds until it holds, failing with <paramref name="failure"/> past the limit.</summary>
    public static async Task UntilAsync(Func<bool> done, string failure, TimeSpan? within = null)
    {
        var limit = Start(within);
        while (!done())
        {
            limit.Check(failure);
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }
}
