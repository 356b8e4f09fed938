using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// The whole flow against a cluster that answers 30% of requests with 500, 429 (Retry-After), not in time
/// (held past the client's timeout, before or after the change is applied) or not at all (the connection reset):
/// every run still ends, and every pod is isolated once and given back exactly.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class KubernetesFaultTests(ReliabilityHostFixture host)
{
    private const int Pods = 10;

    [Fact]
    public async Task ThirtyPercentFaults_IsolateApproveRelease_EveryPodIsolatedOnceAndRestoredExactly()
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pods = Enumerable.Range(0, Pods).Select(_ => host.TakePod()).ToList();
        var before = await MetadataAsync(cluster, pods);
        using var faults = new FaultsOn(host.KubeSim, Faults());

        // Arrange/Act: isolate all pods at once.
        var admitted = await Task.WhenAll(pods.Select(pod => flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod))));
        var instanceIds = admitted.Select(answer => (string)answer.Body["alerts"]![0]!["instanceId"]!).ToList();
        var waiting = await Task.WhenAll(instanceIds.Select(id => flow.RunUntilAsync(id, status => (string?)status["phase"] != "running")));

        Assert.All(admitted, answer => Assert.Equal(202, answer.Status));
        Assert.All(admitted, answer => Assert.Equal("started", (string?)answer.Body["alerts"]![0]!["outcome"]));
        Assert.All(waiting, status => Assert.True(FlowClient.Waiting(status), status.ToJsonString()));
        foreach (var (pod, id) in pods.Zip(instanceIds))
        {
            await AssertIsolatedOnceAsync(flow, cluster, pod, id);
        }

        // Act: approve every release from its chat link.
        using var anonymous = host.CreateAnonymousClient();
        var links = await Task.WhenAll(pods.Select(flow.ApprovalLinkAsync));
        var decisions = await Task.WhenAll(links.Select(async link =>
        {
            using var response = await anonymous.PostAsync(link, new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked")]));
            return (int)response.StatusCode;
        }));
        var done = await Task.WhenAll(instanceIds.Select(id => flow.RunUntilAsync(id, FlowClient.Finished)));

        Assert.All(decisions, status => Assert.Equal(200, status));
        Assert.All(done, status => Assert.Equal("succeeded", (string?)status["outcome"]!["result"]));
        foreach (var (pod, id) in pods.Zip(instanceIds))
        {
            Assert.Equal(before[pod], await cluster.MetadataAsync(pod));
            Assert.Empty(await cluster.PoliciesForAsync(pod, quarantineId: null));
            var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}");
            Assert.Equal("released", (string?)record["isolation"]!["status"]);
            Assert.Single(record["audit"]!.AsArray(), entry => (string?)entry!["action"] == "released");

            // Every run succeeded, so no record ever said failed: a try that failed before a later one
            // succeeded leaves only an attempt-failed entry.
            Assert.DoesNotContain(record["audit"]!.AsArray(), entry => (string?)entry!["action"] is "isolation-failed" or "release-failed");
        }

        // The faults were met, each kind of them: a run of luck did not make this pass.
        Assert.All(faults.Rules, fault => Assert.True(host.KubeSim.Faults.Fired(fault) > 0, $"{fault} never fired"));
    }

    [Fact]
    public async Task ThirtyPercentFaults_EscapesOnOneNode_EveryPodAndTheNodeGivenBackExactly()
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var (pods, node) = await host.PodsOnOwnNodeAsync(4);
        var nodeBefore = await cluster.NodeAsync(node);
        var before = await MetadataAsync(cluster, pods);
        using var faults = new FaultsOn(host.KubeSim, Faults());

        // Four escapes at once: four runs cordon the one node, and each release takes only its own hold off.
        var admitted = await Task.WhenAll(pods.Select(pod => flow.PostAsync("api/alerts", Escape(pod))));
        var instanceIds = admitted.Select(answer => (string)answer.Body["alerts"]![0]!["instanceId"]!).ToList();
        var waiting = await Task.WhenAll(instanceIds.Select(id => flow.RunUntilAsync(id, status => (string?)status["phase"] != "running")));
        var cordoned = await cluster.NodeAsync(node);
        using var anonymous = host.CreateAnonymousClient();
        var links = await Task.WhenAll(pods.Select(flow.ApprovalLinkAsync));
        await Task.WhenAll(links.Select(async link =>
        {
            using var response = await anonymous.PostAsync(link, new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked")]));
            Assert.Equal(200, (int)response.StatusCode);
        }));
        var done = await Task.WhenAll(instanceIds.Select(id => flow.RunUntilAsync(id, FlowClient.Finished)));

        Assert.All(waiting, status => Assert.True(FlowClient.Waiting(status), status.ToJsonString()));
        Assert.All(waiting, status => Assert.Equal("succeeded", (string?)status["history"]!.AsArray().Single(step => (string?)step!["stepId"] == "cordon-node")!["outcome"]));
        Assert.Equal(pods.Select(pod => $"{LocalHostFixture.Namespace}/{pod}").Order(), Containment.Tests.Isolation.NodeCordonTests.Holds(cordoned).Order());
        Assert.All(done, status => Assert.Equal("succeeded", (string?)status["history"]!.AsArray().Single(step => (string?)step!["stepId"] == "uncordon-node")!["outcome"]));
        foreach (var pod in pods)
        {
            Assert.Equal(before[pod], await cluster.MetadataAsync(pod));
        }

        Assert.True(JsonNode.DeepEquals(Containment.Tests.Isolation.NodeCordonTests.WithoutVersion(nodeBefore), Containment.Tests.Isolation.NodeCordonTests.WithoutVersion(await cluster.NodeAsync(node))));
        Assert.True(faults.Rules.Sum(host.KubeSim.Faults.Fired) > 0, "no fault fired");
    }

    private static string Escape(string pod) => $$"""
        {"id":"escape-{{Guid.NewGuid():N}}","source":"fault-tests","category":"container-escape","severity":"high","time":"2026-11-24T03:00:00Z",
         "target":{"cluster":"{{LocalHostFixture.Cluster}}","namespace":"{{LocalHostFixture.Namespace}}","pod":"{{pod}}"},"title":"container escape"}
        """;

    [Theory]
    [InlineData("POST", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies")]
    [InlineData("PATCH", "/api/v1/namespaces/shop/pods/")]
    public async Task AnswerLostAfterTheChange_RetryFindsItDone_NoFailureRecorded(string method, string pathPrefix)
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pod = host.TakePod();
        var lost = new FaultRule { Method = method, PathPrefix = pathPrefix + (method == "PATCH" ? pod : string.Empty), Delay = ReliabilityHostFixture.KubernetesRequestTimeout * 2, DelayResponse = true };
        host.KubeSim.Faults.Add(lost);
        try
        {
            var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
            var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
            var status = await flow.RunUntilAsync(instanceId, s => (string?)s["phase"] != "running");

            Assert.Equal(1, host.KubeSim.Faults.Fired(lost));
            Assert.True(FlowClient.Waiting(status), status.ToJsonString());
            await AssertIsolatedOnceAsync(flow, cluster, pod, instanceId);
            var audit = (await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["audit"]!.AsArray();
            Assert.DoesNotContain(audit, entry => (string?)entry!["action"] == "isolation-failed");
        }
        finally
        {
            host.KubeSim.Faults.Remove(lost);
        }
    }

    /// <summary>
    /// 30% of every Kubernetes request: 10% 500, 10% 429 with Retry-After, 4% held before and 4% after being applied,
    /// 2% a connection reset.
    /// </summary>
    private static List<FaultRule> Faults()
    {
        var late = ReliabilityHostFixture.KubernetesRequestTimeout + TimeSpan.FromMilliseconds(500);
        // Each rule sees only the requests the ones before it spared, hence the divisions.
        return
        [
            new FaultRule { Method = FaultRule.AnyMethod, PathPrefix = "/api", StatusCode = 500, Probability = 0.10, Seed = 1 },
            new FaultRule { Method = FaultRule.AnyMethod, PathPrefix = "/api", StatusCode = 429, RetryAfterSeconds = 1, Probability = 0.10 / 0.90, Seed = 2 },
            new FaultRule { Method = FaultRule.AnyMethod, PathPrefix = "/api", Delay = late, Probability = 0.04 / 0.80, Seed = 3 },
            new FaultRule { Method = FaultRule.AnyMethod, PathPrefix = "/api", Delay = late, DelayResponse = true, Probability = 0.04 / 0.76, Seed = 4 },
            new FaultRule { Method = FaultRule.AnyMethod, PathPrefix = "/api", ResetConnection = true, Probability = 0.02 / 0.72, Seed = 21 }, // draws 9, 17 and 21 of its sequence reset
        ];
    }

    private static async Task<Dictionary<string, (string Labels, string Annotations)>> MetadataAsync(ClusterView cluster, IEnumerable<string> pods)
    {
        var metadata = new Dictionary<string, (string Labels, string Annotations)>();
        foreach (var pod in pods)
        {
            metadata[pod] = await cluster.MetadataAsync(pod);
        }

        return metadata;
    }

    private static async Task AssertIsolatedOnceAsync(FlowClient flow, ClusterView cluster, string pod, string instanceId)
    {
        var labels = (await cluster.PodAsync(pod))["metadata"]!["labels"]!.AsObject();
        Assert.Equal([QuarantineNames.QuarantineLabel], labels.Select(label => label.Key));
        var quarantineId = await cluster.QuarantineIdAsync(pod);
        Assert.Equal([QuarantineNames.PolicyName(pod)], await cluster.PoliciesForAsync(pod, quarantineId));
        var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Equal("isolated", (string?)record["isolation"]!["status"]);
        Assert.Single(record["audit"]!.AsArray(), entry => (string?)entry!["action"] == "isolated");
    }
}
