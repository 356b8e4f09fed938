using Containment.Activities;
using Containment.Api;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A host that takes the runtime's tables after another host held them (back, after losing them; or over, after
/// waiting): what it knew of the runs may be stale, so it drops it and picks the runs up from storage before it drives any.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RuntimeTakenBackTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Term = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    private const string Approval = "approval-approve-release-1";

    [Fact]
    public async Task TablesTakenBackAfterAnotherHostHeldThem_RunsArePickedUpAgain_ItsWaitFiresHere_ItsFinishedRunIsEnded()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var time = new SystemLimitedTimeProvider(MachineDriver.Start);
        using var relay = new CuttableRelay(azurite.Port);
        var here = new ActivityLog();
        await using var host = new RuntimeHarness(relay.AzuriteConnectionString, prefix, here, time, lease: true, storageRetries: 0);
        await host.Recovery.StartAsync(CancellationToken.None);
        var finishedThere = RuntimeHarness.NewInstanceId();
        var startedThere = RuntimeHarness.NewInstanceId();
        await host.StartAsync(finishedThere, Escape);
        Assert.Equal(RunPhase.Waiting, (await host.IdleStatusAsync(finishedThere)).Phase);

        // This host loses storage; its lease lapses, and another host takes the tables, finishes the run this host
        // knew, starts one this host never saw, and stops (letting the tables go) while it waits on its approval.
        relay.Cut();
        await TicksUntilAsync(time, () => host.Lease.Closed is not null);
        var healthWhileLapsed = host.Recovery.Report();
        time.Advance(Margin);
        DateTimeOffset deadline;
        await using (var other = new RuntimeHarness(azurite.ConnectionString, prefix, new ActivityLog(), time, lease: true))
        {
            await other.Recovery.StartAsync(CancellationToken.None);
            Assert.Null(other.Lease.Closed);
            Assert.Equal(RaiseEventResult.Accepted, await other.Runtime.RaiseEventAsync(finishedThere, Approval, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
            Assert.Equal(RunPhase.Finished, (await other.IdleStatusAsync(finishedThere)).Phase);
            await other.StartAsync(startedThere, Escape);
            deadline = (await other.IdleStatusAsync(startedThere)).WaitDeadline!.Value;
            await other.Recovery.StopAsync(CancellationToken.None);
        }

        relay.RelayTo(azurite.Port);
        await TicksUntilAsync(time, () => host.Lease.Closed is null);
        var health = host.Recovery.Report();
        var progress = await host.Runtime.GetProgressAsync(finishedThere, CancellationToken.None);
        var alertAgain = await host.StartAsync(finishedThere, Escape);
        await host.IdleStatusAsync(finishedThere);
        var timersBeforeTheDeadline = host.Runtime.WaitingTimers;
        time.SetUtcNow(deadline + TimeSpan.FromSeconds(1));
        var passed = await host.IdleStatusAsync(startedThere);

        // The run the other host finished is over here too: a new alert for its pod starts a run rather than join it.
        Assert.NotNull(progress!.EndedAt);
        Assert.Equal(RunStartOutcome.Started, alertAgain.Outcome);

        // The wait the other host began has its timer here, which fires and escalates.
        Assert.Equal(2, timersBeforeTheDeadline);
        Assert.Equal(RunPhase.Finished, passed.Phase);
        Assert.Equal(StepOutcome.Succeeded, passed.History.Single(step => step.StepId == "escalate").Outcome);
        Assert.Contains(here.Of(ActivityNames.Notify), call => call.StepId == "escalate");
        Assert.Equal(
            new HealthCheck("runtime", HealthState.Degraded, "this host takes no alerts and drives no runs now: its lease of the runtime's tables lapsed while storage did not answer"),
            healthWhileLapsed);
        Assert.Equal(new HealthCheck("runtime", HealthState.Healthy, "picked up the 1 unfinished run(s) again after another host held the runtime's tables"), health);
    }

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

    [Fact]
    public async Task StandbyTakesTheTablesOver_ForgetsWhichRunsItKnewJoins_SoTheRunsTheOtherHostStartedListTheirJoins()
    {
        // A standby's marks began when it did; the holder started (and may have joined) runs since, in its own process.
        var prefix = AzuriteFixture.NewTablePrefix();
        var time = new SystemLimitedTimeProvider(MachineDriver.Start);
        await using var holder = new RuntimeHarness(azurite.ConnectionString, prefix, time: time, lease: true);
        await holder.Recovery.StartAsync(CancellationToken.None);
        await using var standby = new RuntimeHarness(azurite.ConnectionString, prefix, time: time, lease: true);
        var marks = standby.Get<JoinedEventMarks>();
        await standby.Recovery.StartAsync(CancellationToken.None);
        Assert.NotNull(standby.Lease.Closed);
        time.Advance(TimeSpan.FromSeconds(1));
        var id = RuntimeHarness.NewInstanceId();
        await holder.StartAsync(id, Escape);
        var startedAt = (await holder.IdleStatusAsync(id)).StartedAt;

        await holder.Recovery.StopAsync(CancellationToken.None);
        for (var seconds = 0; seconds < 120 && !standby.Recovery.Recovered; seconds++)
        {
            // The standby tries again after its retry delay, doubled after each refusal.
            time.Advance(TimeSpan.FromSeconds(1));
            await HoldsWithinAsync(() => standby.Recovery.Recovered, TimeSpan.FromMilliseconds(200));
        }

        Assert.Null(standby.Lease.Closed);
        Assert.True(marks.Listing("isolation-of-the-run", startedAt));
    }

    /// <summary>Moves time on a renewal's interval at a time until <paramref name="done"/> holds.</summary>
    private static async Task TicksUntilAsync(FakeTimeProvider time, Func<bool> done)
    {
        for (var ticks = 0; ticks < 20; ticks++)
        {
            time.Advance(Term / 3);
            if (await HoldsWithinAsync(done, TimeSpan.FromSeconds(2)))
            {
                return;
            }
        }

        throw new TimeoutException("the lease did not change in 20 renewal intervals");
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
