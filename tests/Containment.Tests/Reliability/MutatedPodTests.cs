using System.Text.Json.Nodes;
using Containment.Tests.EndToEnd;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// A mutating admission webhook that puts a label back on the pod whenever it is updated (some policy engines do): the
/// relabel's answer shows the pod carrying more than its quarantine label, so Services and policies may still select it.
/// The isolation does not call that isolated: the run fails saying so, and the pod keeps what was applied, for a person
/// to release by hand.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class MutatedPodTests(ReliabilityHostFixture host)
{
    [Fact]
    public async Task Isolate_WebhookPutsALabelBack_RunFailsAsPartial_ChannelTold_PodKeepsTheQuarantine()
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pod = host.TakePod();
        host.KubeSim.Store.MutateUpdates(ResourceCatalog.Pods, updated =>
        {
            if ((string?)updated["metadata"]?["name"] == pod && updated["metadata"]!["labels"] is JsonObject labels)
            {
                labels["team"] = "payments";
            }
        });

        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        var told = await ChannelMessages.FirstAsync(host, pod, "partial");

        var says = $"isolation is partial: pod shop/{pod} does not carry exactly the quarantine label after relabelling";
        Assert.Equal("failed", (string?)done["outcome"]!["result"]);
        Assert.Contains(says, (string?)done["outcome"]!["reason"], StringComparison.Ordinal);
        Assert.Contains($"/api/isolations/{Uri.EscapeDataString(instanceId)}/release", (string?)done["outcome"]!["reason"], StringComparison.Ordinal);
        Assert.Contains(says, told, StringComparison.Ordinal);

        // The ledger keeps what was applied, with the warning, so the release by hand finds the pod's quarantine.
        var record = (await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!;
        Assert.Equal("isolated", (string?)record["status"]);
        Assert.Contains(says["isolation is partial: ".Length..], record["applied"]!.ToJsonString(), StringComparison.Ordinal);
        var labels = (await cluster.PodAsync(pod))["metadata"]!["labels"]!.AsObject();
        Assert.Equal(["containment.io/quarantine", "team"], labels.Select(label => label.Key).Order(StringComparer.Ordinal));
        Assert.Single(await cluster.PoliciesForAsync(pod, quarantineId: null));
    }
}
