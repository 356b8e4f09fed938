using System.Text.Json;
using Containment.Isolation;

namespace Containment.Tests.Isolation;

public sealed class IsolationOutcomeJsonTests
{
    [Fact]
    public async Task Serialize_IsolateOutcome_RoundTripsWithKebabCaseEnums()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: true);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        var json = JsonSerializer.Serialize(outcome, ContainmentJson.Options);
        var back = JsonSerializer.Deserialize<IsolationOutcome>(json, ContainmentJson.Options)!;

        Assert.Contains("\"status\":\"isolated\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"established-connections-kept\"", json, StringComparison.Ordinal);
        Assert.Equal(outcome.Status, back.Status);
        Assert.Equal(outcome.SavedLabels, back.SavedLabels);
        Assert.Equal(outcome.Warnings, back.Warnings);
        Assert.Equal(outcome.CiliumNetworkPolicyName, back.CiliumNetworkPolicyName);
        Assert.True(back.CiliumApplied);
    }
}
