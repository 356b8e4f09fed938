using Containment.Runs.Embedded;

namespace Containment.Tests.Runs;

public sealed class RunLocksTests
{
    [Fact]
    public async Task TryEnter_RunHeld_RefusedAtOnceWhileOtherRunsAreFree()
    {
        var locks = new RunLocks();
        using var held = await locks.EnterAsync("a", CancellationToken.None);

        var same = locks.TryEnter("a");
        using var other = locks.TryEnter("b");

        Assert.Null(same);
        Assert.NotNull(other);
    }

    [Fact]
    public async Task EnterAsync_LockHandedToAnotherTask_WaiterGetsItWhenThatTaskReleases()
    {
        var locks = new RunLocks();
        var held = locks.TryEnter("a")!;
        var waiter = locks.EnterAsync("a", CancellationToken.None);

        await Task.Run(held.Dispose);
        using var next = await waiter.WaitAsync(TimeSpan.FromSeconds(5));
        held.Dispose();

        Assert.Null(locks.TryEnter("a"));
    }

    [Fact]
    public async Task EnterAsync_Cancelled_LeavesTheLockUsable()
    {
        var locks = new RunLocks();
        var held = locks.TryEnter("a")!;
        using var cancel = new CancellationTokenSource();
        var waiter = locks.EnterAsync("a", cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        held.Dispose();
        using var again = locks.TryEnter("a");

        Assert.NotNull(again);
    }
}
