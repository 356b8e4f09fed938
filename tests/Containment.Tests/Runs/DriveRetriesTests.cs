using Containment.Runs.Embedded;

namespace Containment.Tests.Runs;

public sealed class DriveRetriesTests
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Fact]
    public void Failed_InARow_DoublesUpToTheMaximum()
    {
        var retries = new DriveRetries(First, Max);

        var delays = Enumerable.Range(0, 6).Select(_ => retries.Failed("run-a")).ToList();

        Assert.Equal([1, 2, 4, 8, 10, 10], delays.Select(delay => delay.TotalSeconds));
        Assert.Equal(1, retries.Count);
    }

    [Fact]
    public void Failed_ManyTimes_StaysAtTheMaximum()
    {
        var retries = new DriveRetries(First, Max);

        var last = TimeSpan.Zero;
        for (var failure = 0; failure < 200; failure++)
        {
            last = retries.Failed("run-a");
        }

        Assert.Equal(Max, last);
    }

    [Fact]
    public void Succeeded_AfterFailures_StartsAgainFromTheFirstDelay()
    {
        var retries = new DriveRetries(First, Max);
        retries.Failed("run-a");
        retries.Failed("run-a");

        retries.Succeeded("run-a");

        Assert.Equal(0, retries.Count);
        Assert.Equal(First, retries.Failed("run-a"));
    }

    [Fact]
    public void Failed_OtherRuns_CountedApart()
    {
        var retries = new DriveRetries(First, Max);
        retries.Failed("run-a");
        retries.Failed("run-a");

        Assert.Equal(First, retries.Failed("run-b"));
        Assert.Equal(2, retries.Count);
    }
}
