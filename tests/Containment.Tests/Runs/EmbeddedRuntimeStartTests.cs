using Containment.Activities;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>Starting a run: duplicates join it, an ended run is replaced, an insert-only start changes nothing stored.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmbeddedRuntimeStartTests(AzuriteFixture azurite)
{
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
}
