using Azure.Core;
using Containment.Api;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// The pick-up of unfinished runs at host start: storage that does not answer then does not stop the host, and the
/// runs are picked up once it does, after the drive retry delay.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RuntimeRecoveryTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_StorageAnswers_PicksUpTheRunsBeforeReturning()
    {
        var (prefix, id) = await RunLeftWaitingAsync();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);

        await harness.Recovery.StartAsync(CancellationToken.None);
        var recovered = harness.Recovery.Recovered;
        var waiting = await harness.IdleStatusAsync(id);

        Assert.True(recovered);
        Assert.Equal(new HealthCheck("runtime", HealthState.Healthy, "picked up the 1 run(s) an earlier process left unfinished"), harness.Recovery.Report());
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(1, harness.Runtime.WaitingTimers);
    }

    [Fact]
    public async Task Start_StorageFails_ReturnsAndPicksUpTheRunsAfterTheDelay()
    {
        var (prefix, id) = await RunLeftWaitingAsync();
        var reads = new FailingRequests(RequestMethod.Get);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: reads);
        reads.FailNext(1);

        await harness.Recovery.StartAsync(CancellationToken.None);
        var atStart = (harness.Recovery.Recovered, Report: harness.Recovery.Report(), harness.Runtime.WaitingTimers);
        harness.Time.Advance(FirstDelay - TimeSpan.FromMilliseconds(1));
        var beforeTheDelay = harness.Recovery.Recovered;
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.Recovery.WhenRecoveredAsync(CancellationToken.None).WaitAsync(Patience);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(1, reads.Failed);
        Assert.False(atStart.Recovered);
        Assert.Equal(HealthState.Degraded, atStart.Report.State);
        Assert.Equal(
            $"runs left unfinished by an earlier process are not picked up yet (storage: status 503); next try at {MachineDriver.Start + FirstDelay:u}",
            atStart.Report.Detail);
        Assert.Equal(0, atStart.WaitingTimers);
        Assert.False(beforeTheDelay);
        Assert.Equal(HealthState.Healthy, harness.Recovery.Report().State);
        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(1, harness.Runtime.WaitingTimers);
    }

    [Fact]
    public async Task Stop_WhileWaitingToTryAgain_EndsTheRetries()
    {
        var (prefix, _) = await RunLeftWaitingAsync();
        var reads = new FailingRequests(RequestMethod.Get);
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix, storagePolicy: reads);
        reads.FailNext(1);
        await harness.Recovery.StartAsync(CancellationToken.None);

        // The retry waits on the fake clock, which does not move: stopping returns only if it ends that wait.
        await harness.Recovery.StopAsync(CancellationToken.None).WaitAsync(Patience);
        var operations = harness.StorageOperations;
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.False(harness.Recovery.Recovered);
        Assert.Equal(1, reads.Failed);
        Assert.Equal(operations, harness.StorageOperations);
    }

    /// <summary>A run an earlier process left waiting on its approval, in tables of its own.</summary>
    private async Task<(string Prefix, string Id)> RunLeftWaitingAsync()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        var id = RuntimeHarness.NewInstanceId();
        await using var earlier = new RuntimeHarness(azurite.ConnectionString, prefix);
        await earlier.StartAsync(id, Escape);
        Assert.Equal(RunPhase.Waiting, (await earlier.IdleStatusAsync(id)).Phase);
        return (prefix, id);
    }
}
