using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Tests.EndToEnd;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// Pods the isolation refuses before it changes them (gone, on the host's network, static): the run fails with the
/// check that refused, the ledger keeps the failure with that reason, the channel is told, the pod is as it was, and the
/// fence made ahead while the run was being stored is taken down.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class RefusedPodTests(ReliabilityHostFixture host)
{
    [Theory]
    [InlineData("gone", "was not found in cluster aks-prod")]
    [InlineData("host-network", "uses hostNetwork: a NetworkPolicy cannot isolate it; cordon its node or delete it instead")]
    [InlineData("mirror", "is a static (mirror) pod managed by its node's kubelet: the API cannot change it")]
    public async Task Isolate_PodTheChecksRefuse_RunAndRecordFailWithTheReason_PodAndPoliciesAsTheyWere(string kind, string says)
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pod = $"refused-{kind}-{Guid.NewGuid():N}"[..30];
        if (kind != "gone")
        {
            await CreatePodAsync(pod, kind);
        }

        var before = kind == "gone" ? default : await cluster.MetadataAsync(pod);

        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        var told = await ChannelMessages.FirstAsync(host, pod, "Failed");

        var reason = $"pod shop/{pod} {says}";
        Assert.Equal("failed", (string?)done["outcome"]!["result"]);
        Assert.Contains(reason, (string?)done["outcome"]!["reason"], StringComparison.Ordinal);
        Assert.Equal("failed", (string?)record["isolation"]!["status"]);
        Assert.Equal(reason, (string?)record["isolation"]!["failureReason"]);
        Assert.Contains(record["audit"]!.AsArray(), entry => (string?)entry!["action"] == "isolation-failed" && (string?)entry["detail"] == reason);
        Assert.Contains(reason, told, StringComparison.Ordinal);
        Assert.Empty(await cluster.PoliciesForAsync(pod, quarantineId: null));
        if (kind != "gone")
        {
            Assert.Equal(before, await cluster.MetadataAsync(pod));
        }
    }

    private Task<JsonObject> CreatePodAsync(string name, string kind)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = "shop",
                ["labels"] = new JsonObject { ["app"] = "refused" },
                ["annotations"] = kind == "mirror" ? new JsonObject { [QuarantineNames.MirrorPodAnnotation] = "0123abcd" } : new JsonObject(),
            },
            ["spec"] = new JsonObject
            {
                ["hostNetwork"] = kind == "host-network",
                ["nodeName"] = "aks-nodepool1-0",
                ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "contoso.azurecr.io/refused:1.0" }),
            },
        };
        return host.KubeSim.Store.CreateAsync(ResourceCatalog.Pods, "shop", pod, CancellationToken.None);
    }
}
