using System.Text.Json;
using Containment.Activities;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>Events raised to a run: applied at once to a run waiting for them, kept as rows otherwise, and never taken twice.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmbeddedRuntimeEventTests(AzuriteFixture azurite)
{
    /// <summary>A raise to a run waiting in this process: the state is in memory, so one write with the decision applied.</summary>
    private static readonly Dictionary<string, long> ExpectedRaiseOperations = new() { ["PUT"] = 1 };

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
        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
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
        var failure = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
        var still = await harness.IdleStatusAsync(id);
        var again = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
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
    public async Task RaiseEvent_AgainOnceTaken_KeepsNothingAndChangesNothing()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var releaseMayGo = harness.Log.Hold(ActivityNames.ReleasePod);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        var first = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
        await harness.Log.WaitForCallAsync(ActivityNames.ReleasePod);
        var again = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Rejected), CancellationToken.None);
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
        var raised = await harness.Runtime.RaiseEventAsync(id, "approval-approve-isolation-1", MachineDriver.Decision(ApprovalVerdict.Rejected), CancellationToken.None);
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

        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
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
            harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None))));
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
        var taken = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
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
        var early = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var stillFirst = await harness.IdleStatusAsync(id);
        await harness.Runtime.RaiseEventAsync(id, first.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
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
        var early = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
        await harness.Runtime.RaiseEventAsync(id, first.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(RaiseEventResult.Accepted, early);
        Assert.Equal(StepOutcome.Approved, done.History.Single(step => step.StepId == "approve-release").Outcome);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal([RunStore.StateRow], await RunRowsAsync(prefix, id));
    }

    [Fact]
    public async Task RaiseEvent_NoRunOrFinishedRun_SaysSo()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.NoSuchRun, await harness.Runtime.RaiseEventAsync("none~none~none", "x", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
        Assert.Equal(RaiseEventResult.RunFinished, await harness.Runtime.RaiseEventAsync(id, "x", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
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
            raised = await harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
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
        var raising = Task.Run(() => harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None));
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
}
