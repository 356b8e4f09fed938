using Containment.Tests.EndToEnd;

namespace Containment.Tests.Reliability;

/// <summary>
/// Storage goes away as a client sees it (every connection reset) while a run is under way, and comes back:
/// meanwhile the host answers 503 so senders deliver again; afterwards the run goes on from its stored state, the
/// redelivered alert starts its own, and a release gives the pod back exactly.
/// </summary>
public sealed class StorageOutageTests(StorageRelayHostFixture host) : IClassFixture<StorageRelayHostFixture>
{
    private const string Policies = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies";

    [Fact]
    public async Task StorageCutMidRunAndBack_SendersTold503_NothingLostOrDoneTwice()
    {
        using var flow = new FlowClient(host);
        var (first, second) = (host.TakePod(), host.TakePod());
        var before = (await flow.PodAsync(first))!;
        var creates = host.KubeSim.Requests.Count("POST", Policies);
        var secondAlert = Alert(second);

        var started = await flow.PostAsync("api/alerts", Alert(first));
        host.CutStorage();
        var refused = await flow.PostAsync("api/alerts", secondAlert);
        using var healthWhileCut = await flow.Http.GetAsync(new Uri("api/health", UriKind.Relative));
        await host.RestoreStorageAsync();
        var redelivered = await flow.PostAsync("api/alerts", secondAlert);
        var firstRun = (string)started.Body["alerts"]![0]!["instanceId"]!;
        var secondRun = (string)redelivered.Body["alerts"]![0]!["instanceId"]!;
        var firstWaiting = await flow.RunUntilAsync(firstRun, FlowClient.Waiting);
        var secondWaiting = await flow.RunUntilAsync(secondRun, FlowClient.Waiting);

        Assert.Equal(202, started.Status);
        Assert.True(refused.Status == 503, $"{refused.Status}: {refused.Body.ToJsonString()}");
        Assert.StartsWith("storage is unavailable", (string?)refused.Body["error"], StringComparison.Ordinal);
        Assert.Equal(503, (int)healthWhileCut.StatusCode);
        Assert.Equal(202, redelivered.Status);
        Assert.Equal("started", (string?)redelivered.Body["alerts"]![0]!["outcome"]);
        foreach (var (run, status) in new[] { (firstRun, firstWaiting), (secondRun, secondWaiting) })
        {
            Assert.Single(status["history"]!.AsArray(), step => (string?)step!["stepId"] == "isolate" && (string?)step["outcome"] == "succeeded");
            var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(run)}");
            Assert.Equal("isolated", (string?)isolation["isolation"]!["status"]);
            Assert.Single(isolation["audit"]!.AsArray(), entry => (string?)entry!["action"] == "isolated");
        }

        // An isolation tried again after the cut finds its policy there (409) rather than making a second.
        var policies = await flow.PolicyNamesAsync();
        Assert.Single(policies, name => name.EndsWith(first, StringComparison.Ordinal));
        Assert.Single(policies, name => name.EndsWith(second, StringComparison.Ordinal));
        Assert.InRange(host.KubeSim.Requests.Count("POST", Policies) - creates, 2, 3);
        await flow.ReleaseByHandAndCheckAsync(firstRun, first, before);
    }

    [Fact]
    public async Task StorageCutAroundTheApproval_DecisionTakenOnceAndThePodReleasedOnce()
    {
        using var flow = new FlowClient(host);
        using var approver = host.CreateAnonymousClient();
        var pod = host.TakePod();
        var before = (await flow.PodAsync(pod))!;
        var started = await flow.PostAsync("api/alerts", Alert(pod));
        var run = (string)started.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(run, FlowClient.Waiting);
        var link = await flow.ApprovalLinkAsync(pod);

        host.CutStorage();
        using var refused = await approver.PostAsync(link, Decision());
        await host.RestoreStorageAsync();
        using var approved = await approver.PostAsync(link, Decision());

        // The release runs while storage goes away again.
        host.CutStorage();
        await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        await host.RestoreStorageAsync();
        var done = await flow.RunUntilAsync(run, FlowClient.Finished);

        Assert.True((int)refused.StatusCode == 503, $"{(int)refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
        Assert.True((int)approved.StatusCode == 200, $"{(int)approved.StatusCode}: {await approved.Content.ReadAsStringAsync()}");
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        Assert.Single(done["history"]!.AsArray(), step => (string?)step!["stepId"] == "release" && (string?)step["outcome"] == "succeeded");
        var after = (await flow.PodAsync(pod))!;
        Assert.Equal(before["metadata"]!["labels"]!.ToJsonString(), after["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(before["metadata"]!["annotations"]!.ToJsonString(), after["metadata"]!["annotations"]!.ToJsonString());
        var audit = (await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(run)}"))["audit"]!.AsArray().Select(entry => (string?)entry!["action"]).ToList();
        Assert.Equal(1, audit.Count(action => action == "approved"));
        Assert.Equal(1, audit.Count(action => action == "released"));
    }

    private static FormUrlEncodedContent Decision() => new([new("decision", "approve"), new("comment", "checked")]);

    private static string Alert(string pod) => $$"""
        { "id": "{{Guid.NewGuid()}}", "source": "edr", "category": "reverse-shell", "severity": "high", "time": "2026-11-23T03:00:00Z",
          "title": "Reverse shell to 203.0.113.45:4444",
          "target": { "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}", "container": "app" } }
        """;
}
