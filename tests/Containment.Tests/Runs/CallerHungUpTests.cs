using Containment.Activities;
using Containment.Approvals;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A caller over HTTP hangs up just after its storage write landed (its token cancelled, the answer given up on): the
/// write counts all the same, and what this process knows of the run is put right, as after any failed drive.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CallerHungUpTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Terminate_WriteLandedThenTheCallerHungUp_TheRunIsKnownEndedAfterTheDelay_AndTheNextStartStartsARun()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        using var caller = new CancellationTokenSource();
        var hangUp = new HangUpAfterWrite("RowKey='state')", caller, armed: false);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: hangUp);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        await harness.IdleStatusAsync(id);

        hangUp.Arm();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Runtime.TerminateAsync(id, "released by hand", caller.Token));
        await harness.IdleStatusAsync(id);
        harness.Time.Advance(FirstDelay);
        var ended = await harness.IdleStatusAsync(id);
        var known = harness.Runtime.KnownProgress(id);
        var next = await harness.StartAsync(id, "manual-release");
        var nextRun = await harness.IdleStatusAsync(id);

        // Before, the process took the run for the one waiting on approval until its 8 h timer, and joined every start to it.
        Assert.True(hangUp.HungUp);
        Assert.Equal(RunPhase.Finished, ended.Phase);
        Assert.NotNull(known?.EndedAt);
        Assert.Equal(0, harness.Runtime.WaitingTimers);
        Assert.Equal(RunStartOutcome.Started, next.Outcome);
        Assert.Equal("manual-release", nextRun.Playbook);
    }

    [Fact]
    public async Task Raise_WhileTheRunIsDriven_BufferedRowLandedThenTheCallerHungUp_TheRunTakesTheDecision()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        using var caller = new CancellationTokenSource();
        var hangUp = new HangUpAfterWrite(prefix + "Runs", caller, armed: false);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: hangUp);
        var held = harness.Log.Hold(ActivityNames.RequestApproval);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        await harness.Log.WaitForCallAsync(ActivityNames.RequestApproval);

        // The decision comes while the step that asks for it is still running: it is kept in a row for the run to take.
        hangUp.Arm();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            harness.Runtime.RaiseEventAsync(id, "approval-approve-release-1", MachineDriver.Decision(ApprovalVerdict.Approved), caller.Token));
        held.SetResult();
        var status = await harness.IdleStatusAsync(id);

        // Before, the run never listed the row and waited out its timeout, with the decision stored as taken.
        Assert.True(hangUp.HungUp);
        Assert.Equal(RunPhase.Finished, status.Phase);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
    }
}
