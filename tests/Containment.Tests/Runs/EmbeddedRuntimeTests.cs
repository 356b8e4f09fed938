using System.Text.Json;
using Containment.Activities;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

[Collection(AzuriteCollection.Name)]
public sealed class EmbeddedRuntimeTests(AzuriteFixture azurite)
{
    /// <summary>A raise to a run waiting in this process: the state is in memory, so one write with the decision applied.</summary>
    private static readonly Dictionary<string, long> ExpectedRaiseOperations = new() { ["PUT"] = 1 };

    [Fact]
    public async Task Run_ApprovalNeverComes_TimesOutAndEscalates()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();

        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);
        var done = await harness.PassDeadlineAsync(id);

        Assert.Equal("approval-approve-release-1", waiting.AwaitedEvent);
        Assert.Equal(MachineDriver.Start + TimeSpan.FromHours(8), waiting.WaitDeadline);
        Assert.Equal(new RunOutcome(RunResult.Succeeded), done.Outcome);
        Assert.Equal(StepOutcome.TimedOut, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Contains(harness.Log.Of(ActivityNames.Notify), call => call.StepId == "escalate" && call.Channel == "soc-oncall");
        Assert.Empty(harness.Log.Of(ActivityNames.ReleasePod));
    }

    [Fact]
    public async Task Run_Approved_ReleasesThePod()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal("approved by ana@contoso.com", done.History.Single(step => step.StepId == "approve-release").Detail);
        Assert.Equal(0, harness.Runtime.WaitingTimers);
    }

    [Fact]
    public async Task Raise_AppliedButItsAnswerLost_TheRunTakesItOnce()
    {
        // The write applying the decision lands and its answer is lost: the SDK's next try meets 412, the row having
        // been changed by that very write.
        var lostAnswer = new AnswerLostOnce("RowKey='state')", armed: false);
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: lostAnswer);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        lostAnswer.Arm();
        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);
        var rows = await RunRowsAsync(prefix, id);

        // The runtime cannot tell its own write from another's: it answers that the run is past the wait, and keeps nothing.
        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(RaiseEventResult.PastWait, raised);
        Assert.Equal([RunStore.StateRow], rows);
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal("approved by ana@contoso.com", done.History.Single(step => step.StepId == "approve-release").Detail);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
    }

    [Fact]
    public async Task Raise_StorageRefusesItsWrite_FailsAndChangesNothing_TheRunStillWaitsAndTakesTheDecisionRaisedAgain()
    {
        // The approvals API stores a decision before it raises it; a raise that fails is raised again when the approver
        // tries again, so the run must be left waiting for it, and free to take it.
        var refused = new WriteRefusedOnce("RowKey='state')");
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: refused);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        refused.Arm();
        var failure = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None));
        var still = await harness.IdleStatusAsync(id);
        var again = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal((1, 503), (refused.Refused, failure.Status));
        Assert.Equal((RunPhase.Waiting, waiting.AwaitedEvent), (still.Phase, still.AwaitedEvent));
        Assert.Equal(RaiseEventResult.Accepted, again);
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal("approved by ana@contoso.com", done.History.Single(step => step.StepId == "approve-release").Detail);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal([RunStore.StateRow], await RunRowsAsync(prefix, id));
    }

    [Fact]
    public async Task Wait_LongerThanATimerCanHold_EndsWhenDue_NotBefore()
    {
        // A timer holds at most about 49.7 days (2^32 - 2 ms); a playbook may wait longer.
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, MachineDriver.FromSteps("""[{ "id": "hold", "type": "wait", "duration": "P120D" }, { "id": "tell", "type": "notify", "channels": ["soc-teams"], "template": "released" }]"""));
        var waiting = await harness.IdleStatusAsync(id);
        var operationsWhenWaiting = harness.StorageOperations;

        // A day at a time, as a drive that failed would be tried again within the day.
        for (var day = 1; day <= 119; day++)
        {
            harness.Time.Advance(TimeSpan.FromDays(1));
            await harness.Runtime.WhenIdleAsync(CancellationToken.None);
        }

        var operationsWhileWaiting = harness.StorageOperations - operationsWhenWaiting;
        var stillWaiting = await harness.IdleStatusAsync(id);
        harness.Time.Advance(TimeSpan.FromDays(1));
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal((RunPhase.Waiting, MachineDriver.Start + TimeSpan.FromDays(120)), (waiting.Phase, waiting.WaitDeadline));
        Assert.Equal(RunPhase.Waiting, stillWaiting.Phase);
        Assert.Equal(0, operationsWhileWaiting); // no drive failed and was tried again
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Single(harness.Log.Of(ActivityNames.Notify));
    }

    [Fact]
    public async Task RaiseEvent_AgainOnceTaken_KeepsNothingAndChangesNothing()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var releaseMayGo = harness.Log.Hold(ActivityNames.ReleasePod);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        var first = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        await harness.Log.WaitForCallAsync(ActivityNames.ReleasePod);
        var again = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Rejected), CancellationToken.None);
        releaseMayGo.SetResult();
        var done = await harness.IdleStatusAsync(id);
        var rows = await RunRowsAsync(prefix, id);

        Assert.Equal(RaiseEventResult.Accepted, first);
        Assert.Equal(RaiseEventResult.PastWait, again);
        Assert.Equal([RunStore.StateRow], rows);
        Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal(RunPhase.Finished, done.Phase);
    }

    [Fact]
    public async Task Run_EventRaisedBeforeTheWait_IsKeptAndTaken()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var gate = harness.Log.Hold(ActivityNames.RequestApproval);
        var id = RuntimeHarness.NewInstanceId();

        await harness.StartAsync(id, "confirm-suspicious-activity", Containment.Alerts.AlertCategory.AbnormalProcess);
        await harness.Log.WaitForCallsAsync(1);
        var raised = await harness.Runtime.RaiseEventAsync(id, "approval-approve-isolation-1", Decision(ApprovalVerdict.Rejected), CancellationToken.None);
        gate.SetResult();
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(StepOutcome.Rejected, done.History.Single(step => step.StepId == "approve-isolation").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.SetEventStatus));
        Assert.Single(harness.Log.Of(ActivityNames.RequestApproval));
        Assert.Equal(RunPhase.Finished, done.Phase);
    }

    [Fact]
    public async Task RaiseEvent_RunWaitsForIt_AppliedAtOnceWithoutAnEventRow()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var releaseMayGo = harness.Log.Hold(ActivityNames.ReleasePod);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);
        var before = harness.StorageOperationsByKind;

        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var raiseOperations = harness.StorageOperationsSince(before);
        await harness.Log.WaitForCallAsync(ActivityNames.ReleasePod);
        var applied = await harness.Runtime.GetStatusAsync(id, CancellationToken.None);
        var afterRead = harness.StorageOperationsByKind;
        releaseMayGo.SetResult();
        await harness.Runtime.WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var driveOperations = harness.StorageOperationsSince(afterRead);
        var done = await harness.IdleStatusAsync(id);

        // The caller had its answer while the release was still running: the decision was written, not queued.
        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(ExpectedRaiseOperations, raiseOperations);

        // Then one write per finished step (release, tell-released): no event row was written, listed or deleted.
        Assert.Equal(new Dictionary<string, long> { ["PUT"] = 2 }, driveOperations);
        Assert.Equal(RunPhase.Running, applied!.Phase);
        Assert.Equal(StepOutcome.Approved, applied.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Single(harness.Log.Of(ActivityNames.Notify), call => call.StepId == "tell-released");
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal(0, harness.Runtime.WaitingTimers);
    }

    [Fact]
    public async Task RaiseEvent_ConcurrentSameDecision_AppliedOnce()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var releaseMayGo = harness.Log.Hold(ActivityNames.ReleasePod);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        var raised = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None))));
        releaseMayGo.SetResult();
        var done = await harness.IdleStatusAsync(id);
        var rows = await RunRowsAsync(prefix, id);

        // The others find the run past the wait, or waiting still and are kept as rows, which the run deletes as it ends.
        Assert.All(raised, result => Assert.Contains(result, new[] { RaiseEventResult.Accepted, RaiseEventResult.PastWait }));
        Assert.Equal([RunStore.StateRow], rows);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Single(harness.Log.Of(ActivityNames.Notify), call => call.StepId == "tell-released");
        Assert.Single(harness.Log.Of(ActivityNames.RequestApproval).Select(call => call.CallId).Distinct());
        Assert.Single(done.History, step => step.StepId == "approve-release");
        Assert.Equal(RunPhase.Finished, done.Phase);
    }

    [Fact]
    public async Task RaiseEvent_RowLandsAfterTheWaitBegan_IsStillTaken()
    {
        // The decision comes while the drive holds the run, so it is buffered; its row is held back until the
        // drive has entered the wait (finding nothing to list) and let the run go.
        var (harness, inserts, raising, id) = await DecisionKeptBackAsync(AzuriteFixture.NewTablePrefix());
        await using var disposing = harness;
        var waiting = await harness.IdleStatusAsync(id);
        inserts.Release();
        var raised = await raising.WaitAsync(TimeSpan.FromSeconds(30));
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal(RunPhase.Finished, done.Phase);
    }

    [Fact]
    public async Task RaiseEvent_KeptRowLandsAfterAnotherCopyWasTaken_IsDeletedAsTheRunEnds()
    {
        // A copy of the decision comes while the drive holds the run, so it is kept as a row, held back until another
        // copy has been taken and the run has finished: the row is for a wait the run is past, and would never be taken.
        var prefix = AzuriteFixture.NewTablePrefix();
        var (harness, inserts, kept, id) = await DecisionKeptBackAsync(prefix);
        await using var disposing = harness;
        var waiting = await harness.IdleStatusAsync(id);
        var taken = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var finished = await harness.IdleStatusAsync(id);
        inserts.Release();
        var keptAnswer = await kept.WaitAsync(TimeSpan.FromSeconds(30));
        await harness.Runtime.WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var rows = await RunRowsAsync(prefix, id);

        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(RaiseEventResult.Accepted, taken);
        Assert.Equal(RunPhase.Finished, finished.Phase);
        Assert.Equal(RaiseEventResult.Accepted, keptAnswer);
        Assert.Equal([RunStore.StateRow], rows);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
    }

    [Fact]
    public async Task RaiseEvent_ForALaterWait_IsKeptUntilThatWaitBegins()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "confirm-suspicious-activity", Containment.Alerts.AlertCategory.AbnormalProcess);
        var first = await harness.IdleStatusAsync(id);

        // The release decision comes while the run still waits for the isolation decision.
        var early = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var stillFirst = await harness.IdleStatusAsync(id);
        await harness.Runtime.RaiseEventAsync(id, first.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.Accepted, early);
        Assert.Equal("approval-approve-isolation-1", stillFirst.AwaitedEvent);
        Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal(RunPhase.Finished, done.Phase);
    }

    [Fact]
    public async Task RaiseEvent_KeptRowLandedButItsAnswerLost_IsAcceptedAndTaken()
    {
        // The kept event's insert lands and its answer is lost: the SDK's next try meets its own row (409).
        var prefix = AzuriteFixture.NewTablePrefix();
        var lostAnswer = new AnswerLostOnce(prefix + "Runs", armed: false);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: lostAnswer);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "confirm-suspicious-activity", Containment.Alerts.AlertCategory.AbnormalProcess);
        var first = await harness.IdleStatusAsync(id);

        lostAnswer.Arm();
        var early = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None);
        await harness.Runtime.RaiseEventAsync(id, first.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(RaiseEventResult.Accepted, early);
        Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal([RunStore.StateRow], await RunRowsAsync(prefix, id));
    }

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
            var raised = await first.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None);
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
    public async Task Run_ActivityFailsTwice_SucceedsOnTheThirdTryAfterBackoff()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var attempts = 0;
        var calledAt = new List<DateTimeOffset>();
        harness.Log.Behaviours[ActivityNames.IsolatePod] = (_, _) =>
        {
            calledAt.Add(harness.Time.GetUtcNow());
            return Task.FromResult(Interlocked.Increment(ref attempts) < 3
                ? ActivityResult.Failure("API server answered 503", retryable: true)
                : ActivityResult.Success());
        };
        var id = RuntimeHarness.NewInstanceId();

        await harness.StartAsync(id, Escape);
        await harness.Log.WaitForCallsAsync(1);
        await harness.AdvanceUntilCallAsync(TimeSpan.FromMilliseconds(500));
        await harness.AdvanceUntilCallAsync(TimeSpan.FromMilliseconds(500));
        var waiting = await harness.IdleStatusAsync(id);

        // The shipped policy: first retry after PT2S, then twice as long.
        Assert.Equal([1, 2, 3], harness.Log.Of(ActivityNames.IsolatePod).Select(call => call.Attempt));
        Assert.InRange(calledAt[1] - calledAt[0], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
        Assert.InRange(calledAt[2] - calledAt[1], TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4.5));
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod).Select(call => call.CallId).Distinct());
        Assert.Equal(StepOutcome.Succeeded, waiting.History.Single(step => step.StepId == "isolate").Outcome);
    }

    [Fact]
    public async Task Run_ActivityTimesOut_IsARetryableFailure()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var attempts = 0;

        // What HttpClient and the storage SDKs throw when a call outlives its timeout: a cancellation nobody asked for.
        harness.Log.Behaviours[ActivityNames.IsolatePod] = (_, _) => Interlocked.Increment(ref attempts) == 1
            ? throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException())
            : Task.FromResult(ActivityResult.Success());
        var id = RuntimeHarness.NewInstanceId();

        await harness.StartAsync(id, Escape);
        await harness.Log.WaitForCallsAsync(1);
        await harness.AdvanceUntilCallAsync(TimeSpan.FromMilliseconds(500));
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal([1, 2], harness.Log.Of(ActivityNames.IsolatePod).Select(call => call.Attempt));
        Assert.Equal(StepOutcome.Succeeded, waiting.History.Single(step => step.StepId == "isolate").Outcome);
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    [Fact]
    public async Task Run_NonRetryableFailure_FailsAtOnceAndRunsOnFailure()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        harness.Log.Behaviours[ActivityNames.IsolatePod] = (_, _) => Task.FromResult(ActivityResult.Failure("forbidden: may not patch pods", retryable: false));
        var id = RuntimeHarness.NewInstanceId();

        await harness.StartAsync(id, Escape);
        var done = await harness.IdleStatusAsync(id);

        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Equal(new RunOutcome(RunResult.Failed, "step 'isolate' (isolate) failed: forbidden: may not patch pods"), done.Outcome);
        Assert.Equal(2, harness.Log.Of(ActivityNames.Notify).Count(call => call.StepId == "tell-failed"));
    }

    [Fact]
    public async Task Start_SameInstanceTwice_JoinsTheRunningRun()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();

        var first = await harness.StartAsync(id, Escape);
        var second = await harness.StartAsync(id, "malware");
        await harness.IdleStatusAsync(id);

        Assert.Equal(RunStartOutcome.Started, first.Outcome);
        Assert.Equal(new RunStartResult(RunStartOutcome.Joined, id, Escape), second);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
    }

    [Fact]
    public async Task Start_ConcurrentDuplicates_StartOneRun()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => harness.StartAsync(id, Escape))));
        await harness.IdleStatusAsync(id);

        Assert.Single(results, result => result.Outcome == RunStartOutcome.Started);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
    }

    [Fact]
    public async Task Start_AfterTheRunFinished_StartsANewRun()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        await harness.IdleStatusAsync(id);

        var again = await harness.StartAsync(id, "malware");
        await harness.IdleStatusAsync(id);

        Assert.Equal(RunStartOutcome.Started, again.Outcome);
        Assert.Equal(2, harness.Log.Of(ActivityNames.IsolatePod).Count());
    }

    [Fact]
    public async Task StartNew_NoRunEverStored_StartsIt()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();

        var started = await harness.StartNewAsync(id, Escape);
        await harness.IdleStatusAsync(id);

        Assert.Equal(new RunStartResult(RunStartOutcome.Started, id, Escape), started);
        var isolate = Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));

        // The first step's reads went out with the insert, for the very call the run then made.
        Assert.Equal(isolate, Assert.Single(harness.Log.ReadsAhead));
    }

    [Fact]
    public async Task StartNew_RunningOrFinishedRun_ChangesNothing()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var running = RuntimeHarness.NewInstanceId();
        var finished = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(running, Escape);
        await harness.StartAsync(finished, "malware");
        await harness.IdleStatusAsync(finished);

        var joined = await harness.StartNewAsync(running, "malware");
        var again = await harness.StartNewAsync(finished, "malware");
        await harness.IdleStatusAsync(running);

        Assert.Null(joined);
        Assert.Null(again);
        Assert.Equal(2, harness.Log.Of(ActivityNames.IsolatePod).Count());

        // Runs this process knows read nothing ahead; nor does a start that may join a stored run.
        Assert.Empty(harness.Log.ReadsAhead);
        Assert.Equal(RunPhase.Finished, (await harness.Runtime.GetStatusAsync(finished, CancellationToken.None))!.Phase);
    }

    [Fact]
    public async Task Start_AfterARunOfAHostWhoseClockRunsAhead_StartsAfterThatRun()
    {
        // The isolation's fences tell a pod's runs apart by their starts: a run starts after the run it replaces.
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        DateTimeOffset replaced;
        await using (var ahead = new RuntimeHarness(azurite.ConnectionString, prefix, time: new FakeTimeProvider(MachineDriver.Start + TimeSpan.FromMinutes(5))))
        {
            await ahead.StartAsync(id, "malware");
            replaced = (await ahead.IdleStatusAsync(id)).StartedAt;
        }

        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var started = await harness.StartAsync(id, "malware");
        var status = await harness.IdleStatusAsync(id);

        Assert.Equal(RunStartOutcome.Started, started.Outcome);
        Assert.Equal(MachineDriver.Start + TimeSpan.FromMinutes(5), replaced);
        Assert.Equal(replaced.AddTicks(1), status.StartedAt);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
    }

    [Fact]
    public async Task StartNew_RunStoredByAnEarlierProcess_ChangesNothing()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        await using (var earlier = new RuntimeHarness(azurite.ConnectionString, prefix))
        {
            await earlier.StartAsync(id, "malware");
            await earlier.IdleStatusAsync(id);
        }

        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var started = await harness.StartNewAsync(id, "malware");

        Assert.Null(started);
        Assert.Empty(harness.Log.Of(ActivityNames.IsolatePod));

        // Only the insert could tell the run was stored: its reads ahead were made, and go unused.
        Assert.Single(harness.Log.ReadsAhead);
    }

    [Fact]
    public async Task RaiseEvent_NoRunOrFinishedRun_SaysSo()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.NoSuchRun, await harness.Runtime.RaiseEventAsync("none~none~none", "x", Decision(ApprovalVerdict.Approved), CancellationToken.None));
        Assert.Equal(RaiseEventResult.RunFinished, await harness.Runtime.RaiseEventAsync(id, "x", Decision(ApprovalVerdict.Approved), CancellationToken.None));
    }

    [Fact]
    public async Task RaiseEvent_TheAwaitedEventCarryingNoDecision_IsAcceptedAndTheStoredRunIsLeftAsItWas()
    {
        // The API checks a decision before it raises one; anything else the run does not take, and it keeps waiting.
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);
        var before = await RunRowVersionsAsync(prefix, id);

        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, JsonSerializer.SerializeToElement("approve"), CancellationToken.None);
        var after = await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(before, await RunRowVersionsAsync(prefix, id));
        Assert.Equal((RunPhase.Waiting, waiting.AwaitedEvent, waiting.WaitDeadline), (after.Phase, after.AwaitedEvent, after.WaitDeadline));
        Assert.Equal(1, harness.Runtime.WaitingTimers);
        Assert.Empty(harness.Log.Of(ActivityNames.ReleasePod));
    }

    [Theory]
    [InlineData(false, RaiseEventResult.NoSuchRun)]
    [InlineData(true, RaiseEventResult.RunFinished)]
    public async Task RaiseEvent_WhileARunOfThePodIsBeingStored_AnswersAsTheTableStands_AndKeepsNothing(bool earlierRunFinished, RaiseEventResult expected)
    {
        // The start holds the run from before its insert; the decision, for a run not yet stored or for the one that ended,
        // is not the new run's to take.
        var prefix = AzuriteFixture.NewTablePrefix();
        var inserts = new HeldRequests(Azure.Core.RequestMethod.Post);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: inserts);
        var id = RuntimeHarness.NewInstanceId();
        if (earlierRunFinished)
        {
            await harness.StartAsync(id, "malware");
        }

        Assert.Null(await harness.Runtime.GetStatusAsync(RuntimeHarness.NewInstanceId(), CancellationToken.None)); // the table is there
        await harness.Runtime.WhenIdleAsync(CancellationToken.None);
        inserts.Arm();
        var starting = harness.StartAsync(id, Escape);
        await inserts.Holding.WaitAsync(TimeSpan.FromSeconds(30));

        RaiseEventResult raised;
        try
        {
            // Bounded: a raise that kept the event would wait on its own insert, held with the start's.
            raised = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            inserts.Release();
        }

        await starting;
        var started = await harness.IdleStatusAsync(id);

        Assert.Equal(expected, raised);
        Assert.Equal([RunStore.StateRow], await RunRowsAsync(prefix, id));
        Assert.Equal((Escape, RunPhase.Waiting, "approval-approve-release-1"), (started.Playbook, started.Phase, started.AwaitedEvent));
        Assert.Empty(harness.Log.Of(ActivityNames.ReleasePod));
    }

    [Fact]
    public async Task Terminate_WaitingRun_EndsItTerminated()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        await harness.IdleStatusAsync(id);

        var terminated = await harness.Runtime.TerminateAsync(id, "released by hand", CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.True(terminated);
        Assert.Equal(new RunOutcome(RunResult.Terminated, "released by hand"), done.Outcome);
        Assert.Equal(0, harness.Runtime.WaitingTimers);
        Assert.False(await harness.Runtime.TerminateAsync(id, "again", CancellationToken.None));
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
            Assert.Equal(RaiseEventResult.Accepted, await first.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None));
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
            Assert.Equal(RaiseEventResult.Accepted, await second.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Approved), CancellationToken.None));
        }

        await second.Runtime.WhenIdleAsync(CancellationToken.None);
        var again = await first.Runtime.RaiseEventAsync(raisedAgain, waiting.AwaitedEvent!, Decision(ApprovalVerdict.Rejected), CancellationToken.None);
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

    [Fact]
    public async Task Waiting_Runs_CostNoStorageWhileIdle()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        for (var index = 0; index < 5; index++)
        {
            var id = RuntimeHarness.NewInstanceId();
            await harness.StartAsync(id, Escape);
        }

        await harness.Runtime.WhenIdleAsync(CancellationToken.None);
        var before = harness.StorageOperations;
        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.Runtime.WhenIdleAsync(CancellationToken.None);

        Assert.Equal(before, harness.StorageOperations);
        Assert.Equal(5, harness.Runtime.WaitingTimers);
    }

    /// <summary>
    /// A run that then waits on its release approval, and a decision raised while the drive held it (sending the approval
    /// request): kept as a row, whose insert is held back until <see cref="HeldRequests.Release"/>.
    /// </summary>
    private async Task<(RuntimeHarness Harness, HeldRequests Inserts, Task<RaiseEventResult> Raising, string InstanceId)> DecisionKeptBackAsync(string tablePrefix)
    {
        var inserts = new HeldRequests(Azure.Core.RequestMethod.Post);
        var harness = new RuntimeHarness(azurite.ConnectionString, tablePrefix, storagePolicy: inserts);
        var approvalMayGo = harness.Log.Hold(ActivityNames.RequestApproval);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        await harness.Log.WaitForCallAsync(ActivityNames.RequestApproval);

        inserts.Arm();
        var raising = Task.Run(() => harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", Decision(ApprovalVerdict.Approved), CancellationToken.None));
        await inserts.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        approvalMayGo.SetResult();
        return (harness, inserts, raising, id);
    }

    /// <summary>The row keys stored under a run: its state row, and any event kept for a later wait.</summary>
    private async Task<List<string>> RunRowsAsync(string tablePrefix, string instanceId) =>
        await RunRows(tablePrefix, instanceId).Select(row => row.RowKey).ToListAsync();

    /// <summary>The rows stored under a run with their versions: any write to the run, or an event kept for it, changes them.</summary>
    private async Task<List<string>> RunRowVersionsAsync(string tablePrefix, string instanceId) =>
        await RunRows(tablePrefix, instanceId).Select(row => $"{row.RowKey} {row.ETag}").ToListAsync();

    private Azure.AsyncPageable<Azure.Data.Tables.TableEntity> RunRows(string tablePrefix, string instanceId) =>
        new Azure.Data.Tables.TableClient(azurite.ConnectionString, tablePrefix + "Runs")
            .QueryAsync<Azure.Data.Tables.TableEntity>(row => row.PartitionKey == TableKey.Encode(instanceId));

    private static JsonElement Decision(ApprovalVerdict verdict) =>
        JsonSerializer.SerializeToElement(new ApprovalDecision(verdict, "ana@contoso.com", MachineDriver.Start), ContainmentJson.Options);
}
