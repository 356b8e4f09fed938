using Containment.Activities;
using Containment.Approvals;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>A new process over the same tables: unfinished runs, kept events and due timers picked up; two runtimes never take a step twice.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmbeddedRuntimeAcrossProcessesTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Recover_EventBufferedBeforeTheCrash_IsDeliveredAfterRecovery()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        var log = new ActivityLog();
        await using (var first = new RuntimeHarness(azurite.ConnectionString, prefix, log))
        {
            // The link went out and was clicked, but the process stops before the wait is written.
            log.Hold(ActivityNames.RequestApproval);
            await first.StartAsync(id, Escape);
            await log.WaitForCallAsync(ActivityNames.RequestApproval);
            var raised = await first.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
            Assert.Equal(RaiseEventResult.Accepted, raised);
        }

        log.Behaviours.Clear();
        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix, log);
        await second.Runtime.RecoverAsync(CancellationToken.None);
        var done = await second.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(log.Of(ActivityNames.ReleasePod));
    }

    [Fact]
    public async Task Recover_NewRuntimeOnSameTable_FinishesTheInterruptedRun()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        var log = new ActivityLog();
        await using (var first = new RuntimeHarness(azurite.ConnectionString, prefix, log))
        {
            // The first process stops while its isolate call is in flight: the result is never saved.
            log.Hold(ActivityNames.IsolatePod);
            await first.StartAsync(id, "malware");
            await log.WaitForCallsAsync(1);
        }

        log.Behaviours.Clear();
        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix, log);
        var recovered = await second.Runtime.RecoverAsync(CancellationToken.None);
        var done = await second.IdleStatusAsync(id);

        Assert.Equal(1, recovered);
        Assert.Equal(RunPhase.Finished, done.Phase);
        var isolateCalls = log.Of(ActivityNames.IsolatePod).ToList();
        Assert.Equal(2, isolateCalls.Count);
        Assert.Single(isolateCalls.Select(call => call.CallId).Distinct());
    }

    [Fact]
    public async Task Recover_EventLeftByAnEarlierRunOfThePod_IsNotTakenByTheNextRun()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        var log = new ActivityLog();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(MachineDriver.Start);
        await using (var first = new RuntimeHarness(azurite.ConnectionString, prefix, log, time))
        {
            // The first run, which asks nothing, gets a decision while it is busy: the row stays, never taken.
            var isolateMayGo = log.Hold(ActivityNames.IsolatePod);
            await first.StartAsync(id, "malware");
            await log.WaitForCallAsync(ActivityNames.IsolatePod);
            Assert.Equal(RaiseEventResult.Accepted, await first.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
            isolateMayGo.SetResult();
            Assert.Equal(RunPhase.Finished, (await first.IdleStatusAsync(id)).Phase);

            // The pod is caught again: the next run waits for an approval of the same name.
            log.Behaviours.Clear();
            time.Advance(TimeSpan.FromMinutes(5));
            await first.StartAsync(id, Escape);
            Assert.Equal("approval-approve-release-1", (await first.IdleStatusAsync(id)).AwaitedEvent);
        }

        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix, log, time);
        await second.Runtime.RecoverAsync(CancellationToken.None);
        var after = await second.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Waiting, after.Phase);
        Assert.Equal("approval-approve-release-1", after.AwaitedEvent);
        Assert.Empty(log.Of(ActivityNames.ReleasePod));
    }

    [Fact]
    public async Task Recover_TimerDueWhileDown_FiresAtStart()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(MachineDriver.Start);
        await using (var first = new RuntimeHarness(azurite.ConnectionString, prefix, time: time))
        {
            await first.StartAsync(id, Escape);
            await first.IdleStatusAsync(id);
        }

        time.Advance(TimeSpan.FromHours(9));
        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix, time: time);
        await second.Runtime.RecoverAsync(CancellationToken.None);
        var done = await second.IdleStatusAsync(id);

        Assert.Equal(StepOutcome.TimedOut, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Equal(RunPhase.Finished, done.Phase);
    }

    [Fact]
    public async Task TwoRuntimes_DriveOneRun_NoStepTakenTwice()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var log = new ActivityLog();
        await using var first = new RuntimeHarness(azurite.ConnectionString, prefix, log);
        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix, log);
        var id = RuntimeHarness.NewInstanceId();

        await first.StartAsync(id, "malware");
        await second.Runtime.RecoverAsync(CancellationToken.None);
        await first.IdleStatusAsync(id);
        var done = await second.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal(["isolate", "tell-isolated", "tell-handle-malware"], done.History.Select(step => step.StepId));
        Assert.All(done.History, step => Assert.Equal(StepOutcome.Succeeded, step.Outcome));
    }

    [Fact]
    public async Task TwoRuntimes_DecisionThroughTheOther_StateHeldByTheFirstIsNotTrusted()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var log = new ActivityLog();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(MachineDriver.Start);
        await using var first = new RuntimeHarness(azurite.ConnectionString, prefix, log, time);
        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix, log, time);
        var (raisedAgain, timedOut) = (RuntimeHarness.NewInstanceId(), RuntimeHarness.NewInstanceId());
        await first.StartAsync(raisedAgain, Escape);
        await first.StartAsync(timedOut, Escape);
        var waiting = await first.IdleStatusAsync(raisedAgain);

        // The first runtime keeps both waiting states and their timers; the decisions come through the second.
        foreach (var id in new[] { raisedAgain, timedOut })
        {
            Assert.Equal(RaiseEventResult.Accepted, await second.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
        }

        await second.Runtime.WhenIdleAsync(CancellationToken.None);
        var again = await first.Runtime.RaiseEventAsync(raisedAgain, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Rejected), CancellationToken.None);
        time.Advance(TimeSpan.FromHours(9));
        await first.Runtime.WhenIdleAsync(CancellationToken.None);

        Assert.Equal(RaiseEventResult.RunFinished, again);
        foreach (var id in new[] { raisedAgain, timedOut })
        {
            var done = (await first.Runtime.GetStatusAsync(id, CancellationToken.None))!;
            Assert.Equal(RunPhase.Finished, done.Phase);
            Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        }

        Assert.Equal(2, log.Of(ActivityNames.ReleasePod).Count());
        Assert.DoesNotContain(log.Calls, call => call.StepId is "escalate" or "tell-kept");
        Assert.Equal(0, first.Runtime.WaitingTimers);
    }
}
