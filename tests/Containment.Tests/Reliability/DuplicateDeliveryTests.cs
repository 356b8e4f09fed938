using Containment.Alerts;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>
/// At-least-once senders deliver the same alert more than once, sometimes at the same moment: three identical
/// deliveries at once start one run, write once to the cluster and store one security event.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class DuplicateDeliveryTests(LocalHostFixture host)
{
    private const string Policies = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies";

    public enum Format
    {
        Native,
        Defender,
        FalcoCloudEventBinary,
    }

    [Theory]
    [InlineData(Format.Native)]
    [InlineData(Format.Defender)]
    [InlineData(Format.FalcoCloudEventBinary)]
    public async Task SameAlertThreeTimesAtOnce_OneRunOneSetOfWritesOneEvent(Format format)
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var (body, headers) = Delivery(format, pod);

        // Policy creates are counted for the namespace: runs an earlier test left going (on a busy machine) end first.
        await host.Get<EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var requestsBefore = host.KubeSim.Requests.Snapshot();
        var podPatches = host.KubeSim.Requests.Count("PATCH", $"/api/v1/namespaces/shop/pods/{pod}");
        var policyCreates = host.KubeSim.Requests.Count("POST", Policies);

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => flow.PostAsync("api/alerts", body, "application/json", headers)));
        var entries = answers.Select(answer => answer.Body["alerts"]!.AsArray().Single()!).ToList();
        var instanceId = (string)entries[0]["instanceId"]!;
        var eventId = (string)entries[0]["eventId"]!;
        var status = await flow.RunUntilAsync(instanceId, s => (string?)s["phase"] != "running");

        Assert.All(answers, answer => Assert.Equal(202, answer.Status));
        Assert.All(entries, entry => Assert.Equal(instanceId, (string?)entry["instanceId"]));
        Assert.All(entries, entry => Assert.Equal(eventId, (string?)entry["eventId"]));
        Assert.Equal(["joined", "joined", "started"], entries.Select(entry => (string)entry["outcome"]!).Order());
        Assert.True(FlowClient.Waiting(status), status.ToJsonString());
        Assert.Single(status["history"]!.AsArray(), step => (string?)step!["stepId"] == "isolate");
        Assert.Equal(podPatches + 1, host.KubeSim.Requests.Count("PATCH", $"/api/v1/namespaces/shop/pods/{pod}"));
        Assert.True(policyCreates + 1 == host.KubeSim.Requests.Count("POST", Policies), $"one policy create expected for {pod}; requests meanwhile: {RequestsSince(requestsBefore)}");
        var events = (await flow.GetAsync("api/events"))["events"]!.AsArray();
        Assert.Single(events, stored => (string?)stored!["id"] == eventId);
        var eventAudit = (await flow.GetAsync($"api/events/{Uri.EscapeDataString(eventId)}"))["audit"]!.AsArray();
        Assert.Equal(["event-status-changed"], eventAudit.Select(entry => (string?)entry!["action"]));
        var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Single(isolation["audit"]!.AsArray(), entry => (string?)entry!["action"] == "isolated");
    }

    /// <summary>The KubeSim requests made since <paramref name="before"/>, by method and path, to say what went where when a count is off.</summary>
    private string RequestsSince(IReadOnlyDictionary<string, int> before) =>
        string.Join("; ", host.KubeSim.Requests.Snapshot()
            .Where(request => request.Value != before.GetValueOrDefault(request.Key))
            .Select(request => $"{request.Key} ×{request.Value - before.GetValueOrDefault(request.Key)}"));

    [Fact]
    public async Task RedeliveredAfterTheRunEnded_DuplicateAndNothingActsAgain()
    {
        using var flow = new FlowClient(host);
        var cluster = new ClusterView(host);
        var pod = host.TakePod();
        var before = await cluster.MetadataAsync(pod);
        var (body, _) = Delivery(Format.Native, pod);
        var first = await flow.PostAsync("api/alerts", body);
        var instanceId = (string)first.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}/release", """{ "reason": "false positive" }""");
        await flow.RunUntilAsync(instanceId, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");
        var writes = host.KubeSim.Requests.Writes;

        // The sender never saw the first answer and delivers again, after the pod was given back.
        var again = await flow.PostAsync("api/alerts", body);
        var run = await flow.GetAsync($"api/runs/{Uri.EscapeDataString(instanceId)}");

        Assert.Equal(202, again.Status);
        Assert.Equal("duplicate", (string?)again.Body["alerts"]![0]!["outcome"]);
        Assert.Contains("delivered before", (string?)again.Body["alerts"]![0]!["reason"], StringComparison.Ordinal);
        Assert.Equal("manual-release", (string?)run["playbook"]);
        Assert.True(FlowClient.Finished(run));
        Assert.Equal(writes, host.KubeSim.Requests.Writes);
        Assert.Equal(before, await cluster.MetadataAsync(pod));
    }

    [Fact]
    public async Task EventStoredButItsRunNeverStarted_RedeliveryStartsIt()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        // An earlier run for the pod, ended before the alert arrived.
        var earlier = await flow.PostAsync("api/alerts", $$"""
            { "id": "{{Guid.NewGuid()}}", "source": "edr", "category": "other", "severity": "low", "time": "2026-11-23T02:00:00Z",
              "target": { "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}" } }
            """);
        var instanceId = (string)earlier.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        var (body, _) = Delivery(Format.Native, pod);
        var alert = AlertIntake.Default.Read(BinaryData.FromString(body)).Alerts.Single();
        // The first delivery stored the event and stopped (a crash) before it started the run.
        var now = DateTimeOffset.UtcNow;
        await host.Get<SecurityEventLedger>().AddAsync(
            new SecurityEventRecord { Id = SecurityEventLedger.IdOf(alert), Alert = alert with { Target = alert.Target with { Cluster = "aks-prod" } }, Playbook = "isolate-escape-reverse-shell", RunInstanceId = instanceId, Status = EventStatus.Unprocessed, ReceivedAt = now, ChangedAt = now, ChangedBy = "containment" },
            CancellationToken.None);

        var redelivered = await flow.PostAsync("api/alerts", body);
        var status = await flow.RunUntilAsync(instanceId, s => (string?)s["playbook"] == "isolate-escape-reverse-shell" && (string?)s["phase"] != "running");

        Assert.Equal("started", (string?)redelivered.Body["alerts"]![0]!["outcome"]);
        Assert.True(FlowClient.Waiting(status), status.ToJsonString());
        var eventAudit = (await flow.GetAsync($"api/events/{Uri.EscapeDataString(SecurityEventLedger.IdOf(alert))}"))["audit"]!.AsArray();
        Assert.Equal(["event-status-changed"], eventAudit.Select(entry => (string?)entry!["action"]));
    }

    [Fact]
    public async Task EventStoredForAPodThatNeverHadARun_RedeliveryStartsItOnce()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var (body, _) = Delivery(Format.Native, pod);
        var alert = AlertIntake.Default.Read(BinaryData.FromString(body)).Alerts.Single();
        var instanceId = RunInstanceId.ForTarget("aks-prod", "shop", pod);
        // The first delivery stored the event and stopped (a crash) before it started the pod's first run.
        var now = DateTimeOffset.UtcNow;
        await host.Get<SecurityEventLedger>().AddAsync(
            new SecurityEventRecord { Id = SecurityEventLedger.IdOf(alert), Alert = alert with { Target = alert.Target with { Cluster = "aks-prod" } }, Playbook = "isolate-escape-reverse-shell", RunInstanceId = instanceId, Status = EventStatus.Unprocessed, ReceivedAt = now, ChangedAt = now, ChangedBy = "containment" },
            CancellationToken.None);

        var redelivered = await Task.WhenAll(flow.PostAsync("api/alerts", body), flow.PostAsync("api/alerts", body));
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);

        Assert.Equal(["joined", "started"], redelivered.Select(answer => (string?)answer.Body["alerts"]![0]!["outcome"]).Order());
        Assert.All(redelivered, answer => Assert.Equal(instanceId, (string?)answer.Body["alerts"]![0]!["instanceId"]));
        var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Single(isolation["audit"]!.AsArray(), entry => (string?)entry!["action"] == "isolated");
    }

    /// <summary>One delivery of a reverse-shell alert for the pod in the format, with a fresh alert id; the same text and headers every time.</summary>
    private static (string Body, (string Name, string Value)[] Headers) Delivery(Format format, string pod)
    {
        var alertId = Guid.NewGuid().ToString();
        return format switch
        {
            Format.Native => ($$"""
                { "id": "{{alertId}}", "source": "edr", "category": "reverse-shell", "severity": "high", "time": "2026-11-23T03:00:00Z",
                  "title": "Reverse shell to 203.0.113.45:4444",
                  "target": { "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}", "container": "app" } }
                """, []),
            Format.Defender => (FlowClient.Payload("defender-arm-reverse-shell.json", pod), []),
            Format.FalcoCloudEventBinary => (
                FlowClient.Payload("falco-reverse-shell.json", pod, ("\"payments\"", "\"shop\""), ("2c9b3f1e-7a45-4d1b-9e0f-8a6c5b4d3e2f", alertId)),
                [("ce-specversion", "1.0"), ("ce-id", alertId), ("ce-source", "https://falcosidekick.example/"), ("ce-type", "falco.rule.output.v1")]),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
    }
}
