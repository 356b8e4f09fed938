using Containment.Activities;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// <c>GetProgressAsync</c>, which admission asks on every redelivery: answered from memory for runs this
/// process started or finished, from the table after a restart.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunProgressTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task GetProgress_UnfinishedRunStartedHere_AnsweredFromMemory()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);
        var before = harness.StorageOperations;

        var progress = await harness.Runtime.GetProgressAsync(id, CancellationToken.None);

        Assert.Equal(new RunProgress(Escape, waiting.StartedAt, EndedAt: null, IsolatedAt(waiting), waiting.AlertId, waiting.EventId), progress);
        Assert.Equal(before, harness.StorageOperations);
    }

    [Fact]
    public async Task GetProgress_RunEndedHere_AnsweredFromMemoryWithItsEnd()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        var done = await harness.IdleStatusAsync(id);
        var before = harness.StorageOperations;

        var progress = await harness.Runtime.GetProgressAsync(id, CancellationToken.None);

        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Equal(new RunProgress("malware", done.StartedAt, done.UpdatedAt, IsolatedAt(done), done.AlertId, done.EventId), progress);
        Assert.Equal(before, harness.StorageOperations);
    }

    [Fact]
    public async Task GetProgress_StartedAgainAfterItEnded_Unfinished()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, "malware");
        await harness.IdleStatusAsync(id);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.StartAsync(id, Escape);
        var again = await harness.IdleStatusAsync(id);
        var progress = await harness.Runtime.GetProgressAsync(id, CancellationToken.None);

        Assert.Equal(new RunProgress(Escape, again.StartedAt, EndedAt: null, IsolatedAt(again), again.AlertId, again.EventId), progress);
    }

    [Fact]
    public async Task GetProgress_AfterARestart_ReadsTheTable()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var (ended, waiting) = (RuntimeHarness.NewInstanceId(), RuntimeHarness.NewInstanceId());
        RunStatusDocument endedStatus, waitingStatus;
        await using (var first = new RuntimeHarness(azurite.ConnectionString, prefix))
        {
            await first.StartAsync(ended, "malware");
            endedStatus = await first.IdleStatusAsync(ended);
            await first.StartAsync(waiting, Escape);
            waitingStatus = await first.IdleStatusAsync(waiting);
        }

        await using var second = new RuntimeHarness(azurite.ConnectionString, prefix);
        var before = second.StorageOperationsByKind;
        var endedProgress = await second.Runtime.GetProgressAsync(ended, CancellationToken.None);
        var waitingProgress = await second.Runtime.GetProgressAsync(waiting, CancellationToken.None);
        var none = await second.Runtime.GetProgressAsync(RuntimeHarness.NewInstanceId(), CancellationToken.None);

        Assert.Equal(new RunProgress("malware", endedStatus.StartedAt, endedStatus.UpdatedAt, IsolatedAt(endedStatus), endedStatus.AlertId, endedStatus.EventId), endedProgress);
        Assert.Equal(new RunProgress(Escape, waitingStatus.StartedAt, EndedAt: null, IsolatedAt(waitingStatus), waitingStatus.AlertId, waitingStatus.EventId), waitingProgress);
        Assert.Null(none);
        Assert.Equal(3, second.StorageOperationsSince(before).GetValueOrDefault("GET"));
    }

    [Fact]
    public async Task KnownProgress_IsolatedWhileTheRunWaits_NoLongerOnceTheDecisionStartsTheRelease()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var releaseMayGo = harness.Log.Hold(ActivityNames.ReleasePod);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);
        var whileWaiting = harness.Runtime.KnownProgress(id);

        var decision = MachineDriver.Decision(ApprovalVerdict.Approved);
        await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, decision, CancellationToken.None);
        await harness.Log.WaitForCallAsync(ActivityNames.ReleasePod);
        var whileReleasing = harness.Runtime.KnownProgress(id);
        releaseMayGo.SetResult();
        await harness.IdleStatusAsync(id);

        Assert.NotNull(whileWaiting?.IsolatedAt);
        Assert.Equal(IsolatedAt(waiting), whileWaiting.IsolatedAt);
        Assert.NotNull(whileReleasing);
        Assert.Null(whileReleasing.EndedAt);
        Assert.Null(whileReleasing.IsolatedAt);
    }

    [Fact]
    public void IsStartedBy_TheSameDetectorIdFromAnotherSource_IsAnotherAlert()
    {
        var started = MachineDriver.Alert();
        var progress = new RunProgress(Escape, DateTimeOffset.UnixEpoch, AlertId: started.Id, EventId: SecurityEventLedger.IdOf(started));

        Assert.True(progress.IsStartedBy(started));
        Assert.False(progress.IsStartedBy(started with { Source = started.Source + "-other" }));
        Assert.False(progress.IsStartedBy(started with { Id = "a2" }));
    }

    [Fact]
    public void IsStartedBy_StatusWithoutItsEvent_TellsByTheDetectorId()
    {
        var started = MachineDriver.Alert();
        var progress = new RunProgress(Escape, DateTimeOffset.UnixEpoch, AlertId: started.Id, EventId: null);

        Assert.True(progress.IsStartedBy(started with { Source = started.Source + "-other" }));
        Assert.False(progress.IsStartedBy(started with { Id = "a2" }));
    }

    /// <summary>When the run's isolate step ended; both playbooks isolate first, and the harness's isolation succeeds.</summary>
    private static DateTimeOffset? IsolatedAt(RunStatusDocument status) =>
        Assert.Single(status.History, step => step.Type == IsolateStep.TypeName).EndedAt;
}
