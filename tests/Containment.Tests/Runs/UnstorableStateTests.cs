using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Containment.Activities;
using Containment.Approvals;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Options;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A run whose state storage can never take (too large for its row) ends failed, saying why, rather than go back to its
/// stored state and make its pending calls again after every retry delay, forever.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnstorableStateTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(400, "EntityTooLarge")]
    [InlineData(400, "PropertyValueTooLarge")]
    [InlineData(413, "RequestBodyTooLarge")]
    public async Task StorageRefusesTheStateForItsSize_RunEndsFailed_TheIsolationNotMadeAgain(int status, string code)
    {
        var writes = new FailingRequests(RequestMethod.Put, status, code);
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();

        // The run's first state write is the isolate step's result, with the notify step's calls.
        writes.FailNext(1);
        await harness.StartAsync(id, Escape);
        var ended = await harness.IdleStatusAsync(id);
        harness.Time.Advance(TenMinutes);
        var later = await harness.IdleStatusAsync(id);

        Assert.Equal(1, writes.Failed);
        Assert.Equal(RunPhase.Finished, ended.Phase);
        Assert.Equal(RunResult.Failed, ended.Outcome!.Result);
        Assert.Equal($"the run's state could not be stored (status {status}, {code}), so the run cannot go on; its pending calls were not made again", ended.Outcome.Reason);
        Assert.Equal(StepOutcome.Succeeded, ended.History.Single(step => step.StepId == "isolate").Outcome);
        var notify = ended.History.Single(step => step.StepId == "tell-soc");
        Assert.Equal((StepOutcome.Failed, ended.Outcome.Reason), (notify.Outcome, notify.Detail));
        Assert.DoesNotContain(ended.History, step => step.StepId == "tell-failed");
        Assert.Equal(Json(ended), Json(later));
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Empty(harness.Log.Of(ActivityNames.Notify));
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    [Fact]
    public async Task StateLongerThanItsRowHolds_RunEndsFailed_KeepingTheAlertsTextCut()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        await using var harness = new RuntimeHarness(azurite.ConnectionString, prefix);
        var id = RuntimeHarness.NewInstanceId();
        var alert = MachineDriver.Alert() with { Description = new string('d', 300_000) };
        harness.Log.Behaviours[ActivityNames.IsolatePod] = (_, _) => Task.FromResult(ActivityResult.Success(new { detail = new string('o', 200_000) }));

        await harness.Runtime.StartAsync(id, MachineDriver.Shipped(Escape), alert, CancellationToken.None);
        await harness.Log.WaitForCallAsync(ActivityNames.IsolatePod);
        var ended = await harness.IdleStatusAsync(id);
        harness.Time.Advance(TenMinutes);
        await harness.IdleStatusAsync(id);
        using var store = new RunStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new EmbeddedRuntimeOptions { TablePrefix = prefix }), TimeProvider.System);
        var stored = (await store.ReadAsync(id, CancellationToken.None))!.State;

        Assert.Equal(RunResult.Failed, ended.Outcome!.Result);
        Assert.Matches(@"^the run's state could not be stored \(State is \d+ characters; a table row holds at most 450000\)", ended.Outcome.Reason);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Empty(harness.Log.Of(ActivityNames.Notify));
        Assert.Equal(0, harness.Runtime.RetryingRuns);
        Assert.Equal(RunPhase.Finished, stored.Phase);
        Assert.Equal(UnstorableState.KeptAlertText, stored.Alert.Description!.Length);
    }

    [Fact]
    public async Task NotEvenTheFailureCanBeStored_RunIsNotDrivenAgain()
    {
        var writes = new FailingRequests(RequestMethod.Put, 400, "EntityTooLarge");
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();

        writes.FailNext(2);
        await harness.StartAsync(id, Escape);
        var stalled = await harness.IdleStatusAsync(id);
        harness.Time.Advance(TenMinutes);
        var later = await harness.IdleStatusAsync(id);

        Assert.Equal(2, writes.Failed);
        Assert.Equal(RunPhase.Running, stalled.Phase);
        Assert.Equal(Json(stalled), Json(later));
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    [Fact]
    public async Task DecisionWhoseStateCannotBeStored_RunEndsFailed_NothingReleased()
    {
        var writes = new FailingRequests(RequestMethod.Put, 400, "EntityTooLarge");
        await using var harness = Harness(writes);
        var id = RuntimeHarness.NewInstanceId();
        await harness.StartAsync(id, Escape);
        var waiting = await harness.IdleStatusAsync(id);

        writes.FailNext(1);
        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var ended = await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(RunResult.Failed, ended.Outcome!.Result);
        Assert.StartsWith("the run's state could not be stored (status 400, EntityTooLarge)", ended.Outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.Failed, ended.History.Single(step => step.StepId == "release").Outcome);
        Assert.Empty(harness.Log.Of(ActivityNames.ReleasePod));
    }

    private static string Json(RunStatusDocument status) => JsonSerializer.Serialize(status, ContainmentJson.Options);

    private RuntimeHarness Harness(FailingRequests writes) => new(azurite.ConnectionString, AzuriteFixture.NewTablePrefix(), storagePolicy: writes);
}
