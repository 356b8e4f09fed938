using Containment.Activities;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A host that takes the runtime's tables after another host held them (back, after losing them; or over, after
/// waiting): what it knew of the runs may be stale, so it drops it and picks the runs up from storage before it drives any.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RuntimeTakenBackTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task StepWaitingAtTheGate_WhenTheRunsAreForgotten_IsNotTaken_TheRunGoesOnFromStorage()
    {
        // The lease lapsed while a run's isolation ran: its next step waits at the gate with the state it had. Another
        // host ends the run meanwhile; this one takes the tables back and forgets its runs, and the gate opens.
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        var here = new ActivityLog();
        var gate = new SwitchedGate();
        await using var host = new RuntimeHarness(azurite.ConnectionString, prefix, here, gate: gate);
        var isolating = here.Hold(ActivityNames.IsolatePod);
        await host.StartAsync(id, Escape);
        await here.WaitForCallAsync(ActivityNames.IsolatePod);
        gate.Close();
        isolating.SetResult();
        await UntilAsync(() => gate.Waiting > 0);

        await using (var other = new RuntimeHarness(azurite.ConnectionString, prefix))
        {
            Assert.True(await other.Runtime.TerminateAsync(id, "ended by the other host", CancellationToken.None));
        }

        host.Runtime.ForgetRuns();
        gate.Open();
        var ended = await host.IdleStatusAsync(id);

        Assert.Empty(here.Of(ActivityNames.Notify));
        Assert.Equal(RunPhase.Finished, ended.Phase);
        Assert.Equal(RunResult.Terminated, ended.Outcome!.Result);
    }

    /// <summary>Waits, on real time, for what storage or the drives do.</summary>
    private static async Task UntilAsync(Func<bool> done)
    {
        if (!await HoldsWithinAsync(done, TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("the condition did not come");
        }
    }

    /// <summary>Whether <paramref name="done"/> holds within <paramref name="patience"/> of real time.</summary>
    private static async Task<bool> HoldsWithinAsync(Func<bool> done, TimeSpan patience)
    {
        var until = DateTimeOffset.UtcNow + patience;
        while (!done())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        return true;
    }

    /// <summary>A gate the test closes and opens, counting the drives that wait at it.</summary>
    private sealed class SwitchedGate : IRuntimeGate
    {
        private TaskCompletionSource opened = Opened();
        private int waiting;

        public string? Closed => opened.Task.IsCompleted ? null : "closed by the test";

        public int Waiting => Volatile.Read(ref waiting);

        public Task WhenOpenAsync(CancellationToken cancellationToken)
        {
            var current = opened.Task;
            if (!current.IsCompleted)
            {
                Interlocked.Increment(ref waiting);
            }

            return current.WaitAsync(cancellationToken);
        }

        public void Close() => opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => opened.TrySetResult();

        private static TaskCompletionSource Opened()
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            source.SetResult();
            return source;
        }
    }
}
