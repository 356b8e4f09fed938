using Containment.Runs.Embedded;

namespace Containment.Tests.Runs;

public sealed class DrivesInFlightTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public void WhenNone_NoDriveStarted_AlreadyComplete()
    {
        var drives = new DrivesInFlight();

        Assert.True(drives.WhenNoneAsync().IsCompleted);
    }

    [Fact]
    public async Task WhenNone_TwoDrivesUnderWay_CompletesOnlyWhenTheLastEnds()
    {
        var drives = new DrivesInFlight();
        drives.Started();
        drives.Started();
        var none = drives.WhenNoneAsync();

        drives.Ended();
        var afterFirst = none.IsCompleted;
        drives.Ended();
        await none.WaitAsync(Patience);

        Assert.False(afterFirst);
    }

    [Fact]
    public async Task WhenNone_DriveStartedAfterAWake_IsWaitedForAfresh()
    {
        var drives = new DrivesInFlight();
        drives.Started();
        var first = drives.WhenNoneAsync();
        drives.Ended();
        drives.Started();

        var second = drives.WhenNoneAsync();
        await first.WaitAsync(Patience);
        var secondBeforeItsEnd = second.IsCompleted;
        drives.Ended();
        await second.WaitAsync(Patience);

        Assert.NotSame(first, second);
        Assert.False(secondBeforeItsEnd);
    }
}
