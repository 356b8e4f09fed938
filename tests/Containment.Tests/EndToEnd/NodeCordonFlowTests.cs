using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Tests.Support;
using static Containment.Tests.Isolation.NodeCordonTests;
using KubeSim;

namespace Containment.Tests.EndToEnd;

/// <summary>
/// A container escape cordons the pod's node; the release a person decides gives back the node with the pod, by
/// approval or by hand, over real HTTP against Azurite and KubeSim.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class NodeCordonFlowTests(LocalHostFixture host)
{
    [Fact]
    public async Task ContainerEscape_NodeCordoned_ApprovedRelease_GivesBackPodAndNode()
    {
        using var flow = new FlowClient(host);
        var (pod, node) = await host.PodOnOwnNodeAsync();
        var before = await NodeAsync(node);

        var instanceId = await EscapeAsync(flow, pod);
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        var cordoned = await NodeAsync(node);
        using var anonymous = host.CreateAnonymousClient();
        using var decision = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), new FormUrlEncodedContent([new("decision", "approve"), new("comment", "node checked")]));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.True(cordoned["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.Equal([$"shop/{pod}"], JsonNode.Parse((string)cordoned["metadata"]!["annotations"]![CordonHolds.HoldsAnnotation]!)!.AsObject().Select(hold => hold.Key));
        Assert.Equal(200, (int)decision.StatusCode);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        var after = await NodeAsync(node);
        Assert.True(JsonNode.DeepEquals(WithoutVersion(before), WithoutVersion(after)), $"before: {before.ToJsonString()}\nafter: {after.ToJsonString()}\nrun: {done.ToJsonString()}");
        var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Equal("released", (string?)record["isolation"]!["status"]);
        Assert.Equal(
            [$"node {node} cordoned for pod shop/{pod}", $"node {node} uncordoned: it was cordoned for pod shop/{pod} alone"],
            record["audit"]!.AsArray().Where(item => ((string?)item!["action"])!.StartsWith("node-", StringComparison.Ordinal)).Select(item => (string?)item!["detail"]));
    }

    [Fact]
    public async Task ContainerEscape_NodeCordoned_ReleaseByHand_GivesBackPodAndNode()
    {
        using var flow = new FlowClient(host);
        var (pod, node) = await host.PodOnOwnNodeAsync();
        var before = await NodeAsync(node);
        var podBefore = (await flow.PodAsync(pod))!;

        var instanceId = await EscapeAsync(flow, pod);
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, podBefore);

        Assert.True(JsonNode.DeepEquals(WithoutVersion(before), WithoutVersion(await NodeAsync(node))));
    }

    [Fact]
    public async Task NodeCordonedBySomeoneElse_ReleaseByHand_LeavesItCordoned()
    {
        using var flow = new FlowClient(host);
        var (pod, node) = await host.PodOnOwnNodeAsync();
        await host.KubeSim.Store.PatchAsync(ResourceCatalog.Nodes, null, node, "application/merge-patch+json",
            JsonNode.Parse("""{"spec":{"unschedulable":true}}""")!, CancellationToken.None);
        var podBefore = (await flow.PodAsync(pod))!;

        var instanceId = await EscapeAsync(flow, pod);
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, podBefore);

        var after = await NodeAsync(node);
        Assert.True(after["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.Null(after["metadata"]!["labels"]?[CordonHolds.CordonedLabel]);
    }

    internal static async Task<string> EscapeAsync(FlowClient flow, string pod)
    {
        var (status, body) = await flow.PostAsync("api/alerts", $$"""
            {
              "id": "escape-{{Guid.NewGuid():N}}",
              "source": "node-cordon-flow",
              "category": "container-escape",
              "severity": "high",
              "time": "2026-11-24T03:00:00Z",
              "target": { "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}" },
              "title": "Container escape via a mounted host path"
            }
            """);
        Assert.Equal(202, status);
        Assert.Equal("isolate-escape-reverse-shell", (string?)body["alerts"]![0]!["playbook"]);
        return (string)body["alerts"]![0]!["instanceId"]!;
    }

    private Task<JsonObject> NodeAsync(string node) => new Reliability.ClusterView(host).NodeAsync(node);
}
