using Azure;
using Containment.Activities;
using Containment.Api;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A start whose run write fails past the SDK's retries may have stored the run all the same (its answer lost, and
/// storage cut right after): the start still fails, and the run's row is looked at after the drive retry delay, so a
/// run that landed is driven though its sender never delivers again and the host does not restart.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StartWriteFailureTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task StartNew_InsertLandedThenStorageCut_FailsAndTheRunIsDrivenAfterTheDelay()
    {
        var id = RuntimeHarness.NewInstanceId();
        var (harness, startFailure) = await StartNewWhoseInsertLandsThenStorageIsCutAsync(id);
        await using var disposing = harness;

        var known = harness.Runtime.KnownProgress(id);
        harness.Time.Advance(FirstDelay - TimeSpan.FromMilliseconds(1));
        var undriven = await harness.IdleStatusAsync(id);
        var calledBeforeTheDelay = harness.Log.Of(ActivityNames.IsolatePod).Count();
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        var waiting = await harness.IdleStatusAsync(id);

        // The SDK's own failure after its tries, which the sender is answered 503 for, and nothing said the run started.
        var failure = Assert.IsType<AggregateException>(startFailure);
        Assert.Equal(2, failure.InnerExceptions.Count);
        Assert.All(failure.InnerExceptions, tried => Assert.Equal(0, Assert.IsType<RequestFailedException>(tried).Status));
        Assert.Equal(503, ApiFailures.Of(failure).Status);
        Assert.Null(known);
        Assert.Equal(RunPhase.Running, undriven.Phase);
        Assert.Equal(0, calledBeforeTheDelay);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal("approval-approve-release-1", waiting.AwaitedEvent);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    [Fact]
    public async Task Start_InPlaceOfAnEndedRun_WriteLandedThenStorageCut_FailsAndTheRunIsDrivenAfterTheDelay()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var cut = new AnswerLostThenCut("RowKey='state')", armed: false);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: cut, storageRetries: 1);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        var ended = await harness.IdleStatusAsync(id);

        cut.Arm();
        await Assert.ThrowsAsync<AggregateException>(() => harness.StartAsync(id, Escape));
        cut.Restore();
        var undriven = await harness.IdleStatusAsync(id);

        // The ending this process remembered may be of the run the write replaced: asked again, storage answers.
        var known = harness.Runtime.KnownProgress(id);
        harness.Time.Advance(FirstDelay);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Finished, ended.Phase);
        Assert.True(cut.Landed);
        Assert.Equal((RunPhase.Running, Escape), (undriven.Phase, undriven.Playbook));
        Assert.Null(known);
        Assert.Equal((RunPhase.Waiting, Escape), (waiting.Phase, waiting.Playbook));
        Assert.Equal(2, harness.Log.Of(ActivityNames.IsolatePod).Count());
    }

    [Fact]
    public async Task StartNew_InsertLandedThenTheSenderHungUp_CancelledAndTheRunIsDrivenAfterTheDelay()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        using var sender = new CancellationTokenSource();
        var hangUp = new HangUpAfterWrite(prefix + "Runs", sender);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: hangUp);
        var id = RuntimeHarness.NewInstanceId();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await harness.Runtime.StartNewAsync(id, MachineDriver.Shipped(Escape), MachineDriver.Alert(), sender.Token));
        var undriven = await harness.IdleStatusAsync(id);
        harness.Time.Advance(FirstDelay);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.True(hangUp.HungUp);
        Assert.Equal(RunPhase.Running, undriven.Phase);
        Assert.Equal((RunPhase.Waiting, "approval-approve-release-1"), (waiting.Phase, waiting.AwaitedEvent));
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
    }

    [Fact]
    public async Task StartNew_InsertRefused_FailsAndLeavesNothingToDrive()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var refusal = new WriteRefusedOnce(prefix + "Runs");
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: refusal);
        var id = RuntimeHarness.NewInstanceId();

        refusal.Arm();
        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => harness.StartNewAsync(id, Escape));
        var lookingAgain = harness.Runtime.RetryingRuns;
        harness.Time.Advance(FirstDelay);
        await harness.Runtime.WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, refusal.Refused);
        Assert.Equal((503, "ServerBusy"), (failure.Status, failure.ErrorCode));
        Assert.Equal(1, lookingAgain);
        Assert.Equal(0, harness.Runtime.RetryingRuns);
        Assert.Null(await harness.Runtime.GetStatusAsync(id, CancellationToken.None));
        Assert.Null(harness.Runtime.KnownProgress(id));
        Assert.Equal(0, harness.Runtime.WaitingTimers);
        Assert.Empty(harness.Log.Calls);
    }

    [Fact]
    public async Task StartNew_InsertLandedThenStorageCut_RedeliveredMeanwhile_IsolatesOnce()
    {
        // The redelivery finds the run (409) and drives it; the look after the delay then finds it waiting, and leaves
        // its wait as it was.
        var id = RuntimeHarness.NewInstanceId();
        var (harness, startFailure) = await StartNewWhoseInsertLandsThenStorageIsCutAsync(id);
        await using var disposing = harness;

        var redelivered = await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);
        harness.Time.Advance(FirstDelay);
        var afterTheLook = await harness.IdleStatusAsync(id);
        var timers = harness.Runtime.WaitingTimers;
        var timedOut = await harness.PassDeadlineAsync(id);

        Assert.IsType<AggregateException>(startFailure);
        Assert.Equal(RunStartOutcome.Joined, redelivered.Outcome);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(Standing(waiting), Standing(afterTheLook));
        Assert.Equal(1, timers);
        Assert.Equal(0, harness.Runtime.RetryingRuns);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Equal(StepOutcome.TimedOut, timedOut.History.Single(step => step.StepId == "approve-release").Outcome);
    }

    [Fact]
    public async Task Start_WriteFailsForAWaitingRunThisProcessDrives_TheRunsTimeoutComesOnTime()
    {
        // A run picked up from storage is driven but not among the runs a start joins from memory: a start for its pod
        // writes, and the write may fail. The look that follows must not hold back the run's wait.
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        DateTimeOffset deadline;
        await using (var earlier = new RuntimeHarness(azurite.ConnectionString, prefix))
        {
            await earlier.StartAsync(id, Escape);
            deadline = (await earlier.IdleStatusAsync(id)).WaitDeadline!.Value;
        }

        var refusal = new WriteRefusedOnce(prefix + "Runs");
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, time: new FakeTimeProvider(deadline - (FirstDelay / 2)), storagePolicy: refusal);
        await harness.Runtime.RecoverAsync(CancellationToken.None);
        await harness.IdleStatusAsync(id);
        refusal.Arm();
        await Assert.ThrowsAsync<RequestFailedException>(() => harness.StartAsync(id, Escape));
        harness.Time.SetUtcNow(deadline);
        var atTheDeadline = await harness.IdleStatusAsync(id);
        harness.Time.Advance(FirstDelay);
        var afterTheLook = await harness.IdleStatusAsync(id);

        Assert.Equal(1, refusal.Refused);
        Assert.Equal(StepOutcome.TimedOut, atTheDeadline.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Equal(RunPhase.Finished, atTheDeadline.Phase);
        Assert.Equal(Standing(atTheDeadline), Standing(afterTheLook));
        Assert.Single(harness.Log.Of(ActivityNames.Notify), call => call.StepId == "escalate");
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    /// <summary>
    /// An insert-only start on a runtime of its own whose run insert lands, loses its answer, and meets storage cut on the
    /// SDK's one try again; storage answers again once the start has failed. The runtime, and what the start threw.
    /// </summary>
    private async Task<(RuntimeHarness Harness, Exception? StartFailure)> StartNewWhoseInsertLandsThenStorageIsCutAsync(string id)
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var cut = new AnswerLostThenCut(prefix + "Runs");
        var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: cut, storageRetries: 1);
        var failure = await Record.ExceptionAsync(() => harness.StartNewAsync(id, Escape));
        var landed = cut.Landed;
        cut.Restore();
        return (harness, landed ? failure : new InvalidOperationException("the run's insert never went through", failure));
    }

    /// <summary>Where the run stands: its phase, what it waits for and until when, and how many steps it took.</summary>
    private static (RunPhase Phase, string? Awaited, DateTimeOffset? Deadline, int Steps) Standing(RunStatusDocument status) =>
        (status.Phase, status.AwaitedEvent, status.WaitDeadline, status.History.Count);
}
