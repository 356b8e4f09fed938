using System.Text.Json;
using Containment.Activities;
using Containment.Playbooks;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>The longest alert admission accepts runs through its playbook: the run's state, which holds it, fits its row at every step.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunStateSizeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task LongestAlertAdmissionAccepts_EscapeRunNotifiesBothChannels_AndWaitsForItsApproval()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();

        await harness.Runtime.StartAsync(id, MachineDriver.Shipped(Escape), RunAlerts.LongestAdmitted(), CancellationToken.None);
        await harness.Log.WaitForCallAsync(ActivityNames.RequestApproval);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal("approval-approve-release-1", waiting.AwaitedEvent);
        Assert.Single(harness.Log.Of(ActivityNames.IsolatePod));
        Assert.Equal(["soc-teams", "soc-email"], harness.Log.Of(ActivityNames.Notify).Select(call => call.Channel));
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    [Fact]
    public async Task LongestAlertAdmissionAccepts_EscapeRunOfTheLongestPlaybookThatLoads_WaitsForItsApproval()
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();
        var shipped = MachineDriver.Shipped(Escape);
        var rest = JsonSerializer.Serialize(shipped with { Description = string.Empty }, ContainmentJson.Options).Length;
        var longest = shipped with { Description = new string('d', PlaybookLimits.LongestStoredCharacters - rest) };
        Assert.Equal(PlaybookLimits.LongestStoredCharacters, JsonSerializer.Serialize(longest, ContainmentJson.Options).Length);

        await harness.Runtime.StartAsync(id, longest, RunAlerts.LongestAdmitted(), CancellationToken.None);
        await harness.Log.WaitForCallAsync(ActivityNames.RequestApproval);
        var waiting = await harness.IdleStatusAsync(id);

        Assert.Equal(RunPhase.Waiting, waiting.Phase);
        Assert.Equal(0, harness.Runtime.RetryingRuns);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(PlaybookLimits.LongestStoredCharacters)]
    public async Task LongestAlertAdmissionAccepts_NotifyToTwentyChannels_EveryChannelIsToldAndTheRunSucceeds(int playbookCharacters)
    {
        await using var harness = new RuntimeHarness(azurite.ConnectionString, AzuriteFixture.NewTablePrefix());
        var id = RuntimeHarness.NewInstanceId();

        await harness.Runtime.StartAsync(id, RunAlerts.NotifyTo(20, playbookCharacters), RunAlerts.LongestAdmitted(), CancellationToken.None);
        await harness.Log.WaitForCallsAsync(20);
        var done = await harness.IdleStatusAsync(id);

        Assert.Equal(new RunOutcome(RunResult.Succeeded), done.Outcome);
        Assert.Equal(20, harness.Log.Of(ActivityNames.Notify).Select(call => call.Channel).Distinct().Count());
    }
}
