using Containment.Activities;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// Runs take turns in their slots step by step: under load, runs waiting to isolate go before the later steps
/// (cordon, notify, approval request) of a run that has isolated already.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunTurnsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task OneSlot_RunsWaitingToIsolate_GoBeforeTheFirstRunsLaterSteps()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix(), maxConcurrentRuns: 1);
        var isolating = harness.Log.Hold(ActivityNames.IsolatePod);
        string[] runs = [RuntimeHarness.NewInstanceId(), RuntimeHarness.NewInstanceId(), RuntimeHarness.NewInstanceId()];
        await harness.StartAsync(runs[0], Escape);
        await harness.Log.WaitForCallAsync(ActivityNames.IsolatePod);
        await harness.StartAsync(runs[1], Escape);
        await harness.StartAsync(runs[2], Escape);
        Assert.True(SpinWait.SpinUntil(() => harness.Runtime.DrivesWaitingForASlot == 2, TimeSpan.FromSeconds(30)), "the later runs did not wait for the slot");

        isolating.SetResult();
        var statuses = new List<Containment.Runs.RunStatusDocument>();
        foreach (var run in runs)
        {
            statuses.Add(await harness.IdleStatusAsync(run));
        }

        var calls = harness.Log.Calls.ToList();
        Assert.Equal(Enumerable.Repeat(ActivityNames.IsolatePod, 3), calls.Take(3).Select(call => call.Activity));
        Assert.Equal(runs, calls.Take(3).Select(call => call.CallId[..call.CallId.IndexOf(':', StringComparison.Ordinal)]));
        Assert.All(statuses, status => Assert.Equal("approval-approve-release-1", status.AwaitedEvent));
        Assert.Equal(0, harness.Runtime.DrivesWaitingForASlot);
    }
}
