using Azure.Core;
using Containment.Activities;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A run whose drive fails while the process lives (storage failing past the SDK's retries) goes on by itself
/// after a delay, from its stored state, instead of waiting for a restart.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DriveFailureTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Drive_StateWriteFails_RunGoesOnAfterTheDelay()
    {
        var writes = new FailingRequests(RequestMethod.Put);
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();

        // The run's first state write is the isolate step's result.
        writes.FailNext(1);
        await harness.StartAsync(id, Escape);
        var stalled = await harness.IdleStatusAsync(id);
        var retrying = harness.Runtime.RetryingRuns;
        harness.Time.Advance(FirstDelay - TimeSpan.FromMilliseconds(1));
        var beforeTheDelay = await harness.IdleStatusAsync(id);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.Log.WaitForCallAsync(ActivityNames.RequestApproval);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(1, writes.Failed);
        Assert.Equal(RunPhase.Running, stalled.Phase);
        Assert.Equal(1, retrying);
        Assert.Equal(RunPhase.Running, beforeTheDelay.Phase);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal("approval-approve-release-1", waiting.AwaitedEvent);
        Assert.Equal(0, harness.Runtime.RetryingRuns);

        // Made again with the same call id, so the isolation acts once.
        Assert.Equal(2, harness.Log.Of(ActivityNames.IsolatePod).Count());
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod).Select(call => call.CallId).Distinct());
    }

    [Fact]
    public async Task Drive_FailsAgain_WaitsTwiceAsLong()
    {
        var writes = new FailingRequests(RequestMethod.Put);
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();

        writes.FailNext(2);
        await harness.StartAsync(id, Escape);
        await harness.IdleStatusAsync(id);
        harness.Time.Advance(FirstDelay);
        await harness.IdleStatusAsync(id);
        var failedTwice = writes.Failed;
        harness.Time.Advance(FirstDelay);
        var oneDelayLater = await harness.IdleStatusAsync(id);
        harness.Time.Advance(FirstDelay);
        await harness.Log.WaitForCallAsync(ActivityNames.RequestApproval);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(2, failedTwice);
        Assert.Equal(RunPhase.Running, oneDelayLater.Phase);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(3, harness.Log.Of(ActivityNames.IsolatePod).Count());
    }

    [Fact]
    public async Task Timer_DriveFails_TimeoutIsStillTaken()
    {
        var writes = new FailingRequests(RequestMethod.Put);
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        await harness.IdleStatusAsync(id);

        writes.FailNext(1);
        var afterTheDeadline = await harness.PassDeadlineAsync(id);
        harness.Time.Advance(FirstDelay);
        await harness.Log.WaitForCallAsync(ActivityNames.Notify);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(1, writes.Failed);
        Assert.Equal(RunPhase.Waiting, afterTheDeadline.Phase);
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal(StepOutcome.TimedOut, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Contains(harness.Log.Of(ActivityNames.Notify), call => call.StepId == "escalate");
    }

    [Fact]
    public async Task Terminate_StateWriteFails_ThrowsAndLeavesTheRunAsItWas()
    {
        var writes = new FailingRequests(RequestMethod.Put);
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        await harness.IdleStatusAsync(id);

        writes.FailNext(1);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Runtime.TerminateAsync(id, "released by hand", CancellationToken.None));
        harness.Time.Advance(FirstDelay);
        var stillWaiting = await harness.IdleStatusAsync(id);
        var terminated = await harness.Runtime.TerminateAsync(id, "released by hand", CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Contains($"run {id} could not be ended", failure.Message, StringComparison.Ordinal);
        Assert.Contains("storage unavailable", failure.Message, StringComparison.Ordinal);
        Assert.Equal(RunPhase.Waiting, stillWaiting.Phase);
        Assert.Equal("approval-approve-release-1", stillWaiting.AwaitedEvent);
        Assert.True(terminated);
        Assert.Equal(new RunOutcome(RunResult.Terminated, "released by hand"), done.Outcome);
    }

    [Fact]
    public async Task StartNew_InsertLandedButItsAnswerLost_StartsAndDrivesTheRun()
    {
        // The insert-only start's answer is lost and the SDK's next try finds the row (409): the row carries the
        // insert's own key, so the start knows it for its own, says Started, and drives it.
        var prefix = AzuriteFixture.NewTablePrefix();
        var lostAnswer = new AnswerLostOnce(prefix + "Runs");
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: lostAnswer);
        var id = RuntimeHarness.NewInstanceId();

        var startedNew = await harness.StartNewAsync(id, Escape);
        var again = await harness.StartAsync(id, Escape);
        await harness.Log.WaitForCallAsync(ActivityNames.IsolatePod);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(RunStartOutcome.Started, startedNew?.Outcome);
        Assert.Equal(RunStartOutcome.Joined, again.Outcome);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
    }

    [Fact]
    public async Task Start_InPlaceOfAnEndedRun_WriteLandedButItsAnswerLost_StartsAndDrivesTheRun()
    {
        // The pod's last run has ended; the new run's write over it lands, its answer is lost, and the SDK's next try
        // finds the row changed (412): the row carries this start's key, so it is this start's.
        var prefix = AzuriteFixture.NewTablePrefix();
        var lostAnswer = new AnswerLostOnce("RowKey='state')", armed: false);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: lostAnswer);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        var ended = await harness.IdleStatusAsync(id);

        lostAnswer.Arm();
        var start = await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Finished, ended.Phase);
        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(RunStartOutcome.Started, start.Outcome);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(Escape, waiting.Playbook);
        Assert.Equal(2, harness.Log.Of(ActivityNames.IsolatePod).Count());
    }

    [Fact]
    public async Task Start_UnfinishedRunOfAnEarlierProcess_IsJoinedAndDriven()
    {
        // A process stored the run and stopped in its first step; a start here finds the run unfinished and unknown to
        // this process, and must drive it, not leave it for a restart's pick-up.
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        await using (var earlier = new RuntimeHarness(azurite.ConnectionString, prefix))
        {
            earlier.Log.Hold(ActivityNames.IsolatePod);
            await earlier.StartNewAsync(id, Escape);
            await earlier.Log.WaitForCallAsync(ActivityNames.IsolatePod);
        }

        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var start = await harness.StartAsync(id, Escape);
        await harness.Log.WaitForCallAsync(ActivityNames.IsolatePod);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(RunStartOutcome.Joined, start.Outcome);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
    }

    private RuntimeHarness Harness(FailingRequests writes) => new(azurite.ConnectionString, AzuriteFixture.NewTablePrefix(), storagePolicy: writes);
}
