using Containment.Tests.EndToEnd;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// A cluster that refuses the product's identity (403) on one of the isolation's writes: the run fails and
/// says why, the ledger keeps the failure with that reason, and the channel is told.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class ForbiddenTests(ReliabilityHostFixture host)
{
    [Fact]
    public async Task Forbidden_PodPatch_FailureSaysTheFenceIsUpButThePodNotRelabelled_ReleaseTakesTheFenceDown()
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pod = host.TakePod();
        var before = await cluster.MetadataAsync(pod);

        var (instanceId, reason) = await IsolateRefusedAsync(flow, pod, "PATCH", $"/api/v1/namespaces/shop/pods/{pod}", "patch pods");

        // Fenced but not relabelled: the pod keeps its labels, and the record says exactly that.
        Assert.Contains("not relabelled", reason, StringComparison.Ordinal);
        Assert.Contains("not isolated", reason, StringComparison.Ordinal);
        Assert.Equal(before, await cluster.MetadataAsync(pod));
        Assert.Single(await cluster.PoliciesForAsync(pod, quarantineId: null));

        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}/release", """{ "reason": "pod rights missing; take the fence down" }""");
        var released = await flow.RunUntilAsync(instanceId, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        Assert.Equal(202, release.Status);
        Assert.Equal("succeeded", (string?)released["outcome"]!["result"]);
        Assert.Equal(before, await cluster.MetadataAsync(pod));
        Assert.Empty(await cluster.PoliciesForAsync(pod, quarantineId: null));
        Assert.Equal("released", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!["status"]);
    }

    [Fact]
    public async Task Forbidden_PolicyCreate_RunFailedLedgerFailedChannelToldPodUntouched()
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pod = host.TakePod();
        var before = await cluster.MetadataAsync(pod);

        var (instanceId, reason) = await IsolateRefusedAsync(flow, pod, "POST", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies", "create networkpolicies");

        Assert.DoesNotContain("relabelled", reason, StringComparison.Ordinal);
        Assert.Equal(before, await cluster.MetadataAsync(pod));
        Assert.Empty(await cluster.PoliciesForAsync(pod, quarantineId: null));
        Assert.Equal("failed", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!["status"]);
    }

    /// <summary>Sends an alert for the pod while the cluster answers 403 to one write; checks run, ledger and channel; returns the ledger's reason.</summary>
    private async Task<(string InstanceId, string Reason)> IsolateRefusedAsync(FlowClient flow, string pod, string method, string path, string operation)
    {
        var forbidden = new FaultRule { Method = method, PathPrefix = path, StatusCode = 403, Probability = 1 };
        host.KubeSim.Faults.Add(forbidden);
        try
        {
            var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
            var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
            var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
            var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
            var told = await ChannelMessages.FirstAsync(host, pod, "forbidden");

            var says = $"forbidden: the identity may not {operation}";
            Assert.Equal(1, host.KubeSim.Faults.Fired(forbidden)); // a 403 is not worth another try
            Assert.Equal("failed", (string?)done["outcome"]!["result"]);
            Assert.Contains(says, (string?)done["outcome"]!["reason"], StringComparison.Ordinal);
            Assert.Equal("failed", (string?)record["isolation"]!["status"]);
            var reason = (string)record["isolation"]!["failureReason"]!;
            Assert.StartsWith(says, reason, StringComparison.Ordinal);
            Assert.Contains(record["audit"]!.AsArray(), entry => (string?)entry!["action"] == "isolation-failed" && (string?)entry["detail"] == reason);
            Assert.Contains($"Failed: shop/{pod}", told, StringComparison.Ordinal);
            Assert.Contains(says, told, StringComparison.Ordinal);
            return (instanceId, reason);
        }
        finally
        {
            host.KubeSim.Faults.Remove(forbidden);
        }
    }
}
