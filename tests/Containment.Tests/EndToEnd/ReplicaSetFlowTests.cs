using System.Text;
using System.Text.Json.Nodes;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.EndToEnd;

/// <summary>
/// A Deployment's pod through isolation and an approved release, with KubeSim's ReplicaSet controller acting as a
/// cluster's does: the quarantine takes the pod out of its ReplicaSet, which starts a replacement; the release puts it
/// back, and the ReplicaSet, one pod over, deletes the one its scale-down order puts first.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReplicaSetFlowTests(LocalHostFixture host)
{
    [Fact]
    public async Task ApprovedRelease_ReplicaSetTakesThePodBack_AndDeletesTheReplacement()
    {
        using var flow = new FlowClient(host);
        var (replicaSet, pods) = await host.ReplicaSetPodsAsync(replicas: 2);
        var pod = pods[0];
        var before = (await flow.PodAsync(pod))!;

        var instanceId = await IsolateAsync(flow, pod);
        var isolated = (await flow.PodAsync(pod))!;
        var whileIsolated = await host.PodsOwnedByAsync(replicaSet);
        var done = await ApproveAsync(flow, pod, instanceId);

        Assert.Null(isolated["metadata"]!["ownerReferences"]);
        Assert.Equal(2, whileIsolated.Count);
        Assert.DoesNotContain(pod, whileIsolated);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        var after = (await flow.PodAsync(pod))!;
        foreach (var field in new[] { "labels", "annotations", "ownerReferences" })
        {
            Assert.True(JsonNode.DeepEquals(before["metadata"]![field], after["metadata"]![field]), $"{field}: {before["metadata"]![field]?.ToJsonString()} → {after["metadata"]![field]?.ToJsonString()}");
        }

        Assert.Equal(pods, await host.PodsOwnedByAsync(replicaSet));

        // The messages say what becomes of the workload: a replacement while the pod is held, one pod deleted after.
        Assert.All(Messages($"Isolated: {LocalHostFixture.Namespace}/{pod}"), text =>
            Assert.Contains($"its ReplicaSet {replicaSet} starts a replacement, which serves meanwhile.", text, StringComparison.Ordinal));
        Assert.Contains(Messages($"Released: {LocalHostFixture.Namespace}/{pod}"), text =>
            text.Contains($"Its ReplicaSet {replicaSet} takes it back and, one pod over its replicas, deletes one", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PodNoControllerOwns_TheIsolatedMessageSaysNothingTakesItsPlace()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();

        await IsolateAsync(flow, pod);

        var isolated = Messages($"Isolated: {LocalHostFixture.Namespace}/{pod}");
        Assert.NotEmpty(isolated);
        Assert.All(isolated, text => Assert.Contains("No controller owns it, so nothing takes its place", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplicaSetScaledToZeroMeanwhile_ReleaseSucceeds_AndTheReplicaSetDeletesThePodItTakesBack()
    {
        using var flow = new FlowClient(host);
        var (replicaSet, pods) = await host.ReplicaSetPodsAsync(replicas: 1);
        var pod = pods[0];
        var instanceId = await IsolateAsync(flow, pod);

        // A rollout meanwhile: the Deployment scales the pod's old ReplicaSet to zero.
        await host.KubeSim.Store.PatchAsync(ResourceCatalog.ReplicaSets, LocalHostFixture.Namespace, replicaSet, "application/merge-patch+json",
            JsonNode.Parse("""{"spec":{"replicas":0}}""")!, CancellationToken.None);
        var done = await ApproveAsync(flow, pod, instanceId);

        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        Assert.Contains(done["history"]!.AsArray(), step => (string?)step!["stepId"] == "release" && (string?)step["outcome"] == "succeeded");
        Assert.Null(await flow.PodAsync(pod));
        Assert.Empty(await host.PodsOwnedByAsync(replicaSet));
        Assert.DoesNotContain($"containment-quarantine-{pod}", await flow.PolicyNamesAsync());
        Assert.Equal("released", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!["status"]);
    }

    private List<string> Messages(string title) =>
        [.. host.Channels.Requests.Select(request => Encoding.UTF8.GetString(request.Body)).Where(text => text.Contains(title, StringComparison.Ordinal))];

    private static async Task<string> IsolateAsync(FlowClient flow, string pod)
    {
        var (status, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        Assert.Equal(202, status);
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        return instanceId;
    }

    private async Task<JsonObject> ApproveAsync(FlowClient flow, string pod, string instanceId)
    {
        using var anonymous = host.CreateAnonymousClient();
        using var decision = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked")]));
        Assert.Equal(200, (int)decision.StatusCode);
        return await flow.RunUntilAsync(instanceId, FlowClient.Finished);
    }
}
