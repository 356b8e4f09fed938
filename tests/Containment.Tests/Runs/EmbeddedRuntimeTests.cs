using Containment.Activities;
using Containment.Approvals;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>A run driven from start to end over Azurite: approvals, waits, activity failures and their retries, endings.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmbeddedRuntimeTests(AzuriteFixture azurite)
{
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

        var raised = await harness.Runtime.RaiseEventAsync(id, waiting.AwaitedEvent!, MachineDriver.Decision(ApprovalVerdict.Approved), CancellationToken.None);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(RaiseEventResult.Accepted, raised);
        Assert.Equal(RunPhase.Finished, done.Phase);
        Assert.Single(harness.Log.Of(ActivityNames.ReleasePod));
        Assert.Equal("approved by ana@contoso.com", done.History.Single(step => step.StepId == "approve-release").Detail);
        Assert.Equal(0, harness.Runtime.WaitingTimers);
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
}
