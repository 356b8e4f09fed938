using Containment.Runs.Embedded;

namespace Containment.Tests.Runs;

public sealed class RunSlotsTests
{
    [Fact]
    public async Task Yield_NobodyWaits_KeepsTheSlot()
    {
        using var slots = new RunSlots(1);
        using var turn = await slots.TakeAsync(CancellationToken.None);

        await turn.YieldAsync(CancellationToken.None);

        Assert.False(slots.TakeAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Yield_ADriveWaits_ItGoesFirst_TheYielderWaitsItsTurn()
    {
        using var slots = new RunSlots(1);
        var first = await slots.TakeAsync(CancellationToken.None);
        var waiting = slots.TakeAsync(CancellationToken.None);
        Assert.Equal(1, slots.Waiting);

        var yielding = first.YieldAsync(CancellationToken.None);
        var second = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(yielding.IsCompleted);
        second.Dispose();
        await yielding.WaitAsync(TimeSpan.FromSeconds(30));
        first.Dispose();
        Assert.True(slots.TakeAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Yield_CancelledWhileWaiting_TheSlotIsGivenBackOnce()
    {
        using var slots = new RunSlots(2);
        var yielder = await slots.TakeAsync(CancellationToken.None);
        var other = await slots.TakeAsync(CancellationToken.None);
        var waiting = slots.TakeAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();

        var yielding = yielder.YieldAsync(stop.Token);
        var third = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => yielding);
        yielder.Dispose();
        other.Dispose();
        third.Dispose();

        Assert.Equal(0, slots.Waiting);
        using var again = await slots.TakeAsync(CancellationToken.None);
        using var andAgain = await slots.TakeAsync(CancellationToken.None);
        Assert.False(slots.TakeAsync(CancellationToken.None).IsCompleted);
    }
}
