using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Containment.Tests.Support;

namespace Containment.Tests.EndToEnd;

/// <summary>
/// The product end to end over real HTTP: an alert in any format → playbook → durable run → the pod
/// quarantined on the cluster (KubeSim) → ledger → approval link → release that restores the pod.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class AlertFlowTests(LocalHostFixture host)
{
    [Fact]
    public async Task DefenderReverseShell_IsolatedThenReleasedByApproval_PodRestoredExactly()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);

        var (status, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var entry = body["alerts"]![0]!;
        var instanceId = (string)entry["instanceId"]!;
        var waiting = await flow.RunUntilAsync(instanceId, FlowClient.Waiting);

        Assert.Equal(202, status);
        Assert.Equal("started", (string?)entry["outcome"]);
        Assert.Equal("isolate-escape-reverse-shell", (string?)entry["playbook"]);
        Assert.Equal("approval-approve-release-1", (string?)waiting["awaitedEvent"]);
        var isolatedPod = (await flow.PodAsync(pod))!;
        Assert.Equal(["containment.io/quarantine"], isolatedPod["metadata"]!["labels"]!.AsObject().Select(label => label.Key));
        Assert.Contains($"containment-quarantine-{pod}", await flow.PolicyNamesAsync());
        var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Equal("isolated", (string?)record["isolation"]!["status"]);
        Assert.Contains(record["audit"]!.AsArray(), item => (string?)item!["action"] == "isolated");
        var events = await flow.GetAsync("api/events?status=processed");
        Assert.Contains(events["events"]!.AsArray(), item => (string?)item!["runInstanceId"] == instanceId);

        // The approval link arrives by chat; opening it decides nothing, posting the form does.
        var link = await flow.ApprovalLinkAsync(pod);
        using var anonymous = host.CreateAnonymousClient();
        using var page = await anonymous.GetAsync(link);
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Contains(pod, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(FlowClient.Waiting(await flow.RunUntilAsync(instanceId, _ => true)));
        using var decision = await anonymous.PostAsync(link, new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked, clean")]));
        Assert.Equal(200, (int)decision.StatusCode);
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        var restored = (await flow.PodAsync(pod))!;
        Assert.Equal(before!["metadata"]!["labels"]!.ToJsonString(), restored["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(before["metadata"]!["annotations"]!.ToJsonString(), restored["metadata"]!["annotations"]!.ToJsonString());
        Assert.DoesNotContain($"containment-quarantine-{pod}", await flow.PolicyNamesAsync());
        var released = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Equal("released", (string?)released["isolation"]!["status"]);

        // The link is single use.
        using var again = await anonymous.PostAsync(link, new FormUrlEncodedContent([new("decision", "reject")]));
        Assert.Equal(409, (int)again.StatusCode);
    }

    [Fact]
    public async Task FalcoCloudEventBinary_DeliveredTwice_IsolatesOnce()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);
        var falco = FlowClient.Payload("falco-reverse-shell.json", pod, ("\"payments\"", "\"shop\""));
        var eventId = Guid.NewGuid().ToString();
        (string, string)[] headers = [("ce-specversion", "1.0"), ("ce-id", eventId), ("ce-source", "https://falcosidekick.example/"), ("ce-type", "falco.rule.output.v1")];
        var writesBefore = host.KubeSim.Requests.Writes;

        var first = await flow.PostAsync("api/alerts", falco, "application/json", headers);
        var second = await flow.PostAsync("api/alerts", falco, "application/json", headers);
        var instanceId = (string)first.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);

        Assert.Equal("started", (string?)first.Body["alerts"]![0]!["outcome"]);
        Assert.Equal("joined", (string?)second.Body["alerts"]![0]!["outcome"]);
        var isolatedPod = (await flow.PodAsync(pod))!;
        Assert.True(isolatedPod["metadata"]!["labels"]!.AsObject().ContainsKey("containment.io/quarantine"));
        Assert.True(host.KubeSim.Requests.Writes - writesBefore <= 3, $"{host.KubeSim.Requests.Writes - writesBefore} Kubernetes writes for one isolation");
        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, before!);
    }

    [Fact]
    public async Task EventGridDelivery_ValidationHandshakesAndEvents_AreAnswered()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);

        var validation = await flow.PostAsync("api/eventgrid", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads", "eventgrid-validation.json")), "application/json", ("aeg-event-type", "SubscriptionValidation"));
        using var options = new HttpRequestMessage(HttpMethod.Options, new Uri("api/eventgrid", UriKind.Relative));
        options.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
        using var handshake = await flow.Http.SendAsync(options);
        var delivery = await flow.PostAsync("api/eventgrid", FlowClient.Payload("eventgrid-defender.json", pod), "application/json", ("aeg-event-type", "Notification"));

        Assert.Equal(200, validation.Status);
        Assert.False(string.IsNullOrEmpty((string?)validation.Body["validationResponse"]));
        Assert.Equal(200, (int)handshake.StatusCode);
        Assert.Equal("eventgrid.azure.net", handshake.Headers.GetValues("WebHook-Allowed-Origin").Single());
        Assert.Equal(200, delivery.Status);
        Assert.Equal("started", (string?)delivery.Body["alerts"]![0]!["outcome"]);
        var instanceId = (string)delivery.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, before!);
    }

    [Fact]
    public async Task EventGridDelivery_ValidationEventInCloudEventsSchema_AnsweredWithItsCode()
    {
        using var flow = new FlowClient(host);

        var validation = await flow.PostAsync("api/eventgrid", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads", "cloudevents-validation.json")), "application/cloudevents+json");

        Assert.Equal(200, validation.Status);
        Assert.Equal("""{"validationResponse":"6f0e7d1c-2b3a-4c5d-8e9f-0a1b2c3d4e5f"}""", validation.Body.ToJsonString());
    }

    [Fact]
    public async Task SentinelIncident_EachPodIsolatedThenReleased()
    {
        using var flow = new FlowClient(host);
        var (first, second) = (host.TakePod(), host.TakePod());
        var before = await flow.PodAsync(first);
        var incident = FlowClient.Payload("sentinel-incident.json", first, ("cart-7c5b9d4f8-r8tvw", second));
        incident = incident.Replace("c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f", Guid.NewGuid().ToString(), StringComparison.Ordinal);

        var (status, body) = await flow.PostAsync("api/alerts", incident);

        Assert.True(status == 202, body.ToJsonString());
        var entries = body["alerts"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, entry => Assert.NotEqual("ignored", (string?)entry!["outcome"]));
        var instanceId = entries.Select(entry => (string)entry!["instanceId"]!).SingleOrDefault(id => id.EndsWith(first, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(body.ToJsonString());
        await flow.RunUntilAsync(instanceId, status => (string?)status["phase"] != "running");
        await flow.ReleaseByHandAndCheckAsync(instanceId, first, before!);
    }

    [Fact]
    public async Task NativeMalwareAlert_IsolatesAndLeavesEventUnprocessed()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var alertId = "native-" + Guid.NewGuid();
        var before = await flow.PodAsync(pod);
        var native = $$"""
            { "id": "{{alertId}}", "source": "scanner", "category": "malware", "severity": "high", "time": "2026-11-23T03:00:00Z",
              "title": "Cryptojacking binary in image layer",
              "target": { "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}", "container": "app" } }
            """;

        var (status, body) = await flow.PostAsync("api/alerts", native);
        var done = await flow.RunUntilAsync((string)body["alerts"]![0]!["instanceId"]!, FlowClient.Finished);

        Assert.Equal(202, status);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString("scanner:" + alertId)}");
        Assert.Equal("unprocessed", (string?)stored["event"]!["status"]);
        Assert.True((await flow.PodAsync(pod))!["metadata"]!["labels"]!.AsObject().ContainsKey("containment.io/quarantine"));
        await flow.ReleaseByHandAndCheckAsync((string)body["alerts"]![0]!["instanceId"]!, pod, before!);
    }

    [Fact]
    public async Task AlertForAClusterNotConfigured_IgnoredWithTheReason_EventKept_NothingStarted()
    {
        using var flow = new FlowClient(host);
        var alertId = "native-" + Guid.NewGuid();
        var native = $$"""
            { "id": "{{alertId}}", "source": "scanner", "category": "reverse-shell", "severity": "high", "time": "2026-11-23T03:00:00Z",
              "target": { "cluster": "aks-elsewhere", "namespace": "shop", "pod": "web-0" } }
            """;
        var writesBefore = host.KubeSim.Requests.Writes;

        var first = await flow.PostAsync("api/alerts", native);
        var again = await flow.PostAsync("api/alerts", native);

        const string Reason = "cluster aks-elsewhere is not configured (Containment:Clusters:<alias> with Kubeconfig or ResourceId)";
        foreach (var (status, body) in new[] { first, again })
        {
            Assert.Equal(202, status);
            var entry = body["alerts"]![0]!;
            Assert.Equal("ignored", (string?)entry["outcome"]);
            Assert.Equal(Reason, (string?)entry["reason"]);
            Assert.Null(entry["instanceId"]);
        }

        var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString("scanner:" + alertId)}");
        Assert.Equal("ignored", (string?)stored["event"]!["status"]);
        Assert.Equal(Reason, (string?)stored["event"]!["statusReason"]);
        Assert.Null(stored["event"]!["runInstanceId"]);
        Assert.Equal(writesBefore, host.KubeSim.Requests.Writes);
    }

    [Fact]
    public async Task FalcoEventOnTheHost_IgnoredSayingItNamesNoPod_EventKept_NothingStarted_NoPoison()
    {
        using var flow = new FlowClient(host);
        var uuid = Guid.NewGuid().ToString();
        var hostEvent = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads", "falco-no-pod.json"))
            .Replace("0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a", uuid, StringComparison.Ordinal);
        var writesBefore = host.KubeSim.Requests.Writes;
        var newestPoisonBefore = (await flow.GetAsync("api/poison?limit=1"))["poison"]!.AsArray().FirstOrDefault()?["id"]?.ToJsonString();

        var (status, body) = await flow.PostAsync("api/alerts", hostEvent);

        const string Reason = "the alert names no pod: an event on the host (output_fields has no k8s.pod.name, and container.id is host or absent); only pods are isolated";
        Assert.Equal(202, status);
        var entry = body["alerts"]![0]!;
        Assert.Equal(("ignored", Reason), ((string?)entry["outcome"], (string?)entry["reason"]));
        Assert.Null(entry["instanceId"]);
        var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString("falco:" + uuid)}");
        Assert.Equal(("ignored", Reason), ((string?)stored["event"]!["status"], (string?)stored["event"]!["statusReason"]));
        Assert.Equal("aks-nodepool1-31718369-vmss000002", (string?)stored["event"]!["alert"]!["target"]!["node"]);
        Assert.Equal(writesBefore, host.KubeSim.Requests.Writes);
        Assert.Equal(newestPoisonBefore, (await flow.GetAsync("api/poison?limit=1"))["poison"]!.AsArray().FirstOrDefault()?["id"]?.ToJsonString());
    }

    [Fact]
    public async Task AlertFromAnotherClusterOfTheSameName_IgnoredNotActedOnHere()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);
        var elsewhere = LocalHostFixture.ResourceId.Replace("4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10", "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e", StringComparison.Ordinal);
        var native = $$"""
            { "id": "native-{{Guid.NewGuid()}}", "source": "scanner", "category": "reverse-shell", "severity": "high", "time": "2026-11-23T03:00:00Z",
              "target": { "cluster": "{{LocalHostFixture.Cluster}}", "clusterResourceId": "{{elsewhere}}", "namespace": "shop", "pod": "{{pod}}" } }
            """;

        var (status, body) = await flow.PostAsync("api/alerts", native);

        Assert.Equal(202, status);
        Assert.Equal("ignored", (string?)body["alerts"]![0]!["outcome"]);
        Assert.StartsWith($"cluster {elsewhere} is not configured; the cluster configured as {LocalHostFixture.Cluster}", (string?)body["alerts"]![0]!["reason"], StringComparison.Ordinal);
        Assert.Equal(before!.ToJsonString(), (await flow.PodAsync(pod))!.ToJsonString());
    }

    [Fact]
    public async Task IsolateAndReleaseByHand_RestoresThePod()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);

        var isolate = await flow.PostAsync("api/isolations", $$"""{ "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}", "reason": "suspicious outbound traffic" }""");
        var id = (string)isolate.Body["isolationId"]!;
        await flow.RunUntilAsync(id, FlowClient.Finished);
        var isolated = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}");
        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "traffic explained: backup job" }""");
        var released = await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        Assert.Equal(202, isolate.Status);
        Assert.Equal("isolated", (string?)isolated["isolation"]!["status"]);
        Assert.Equal(202, release.Status);
        Assert.Equal("succeeded", (string?)released["outcome"]!["result"]);
        Assert.Equal(before!["metadata"]!["labels"]!.ToJsonString(), (await flow.PodAsync(pod))!["metadata"]!["labels"]!.ToJsonString());
        var again = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "twice" }""");
        Assert.Equal(409, again.Status);
    }

    [Theory]
    [InlineData("{ not json", "application/json", 400)]
    [InlineData("""{ "hello": "world" }""", "application/json", 400)]
    [InlineData("""{ "rule": "Terminal shell in container", "priority": "Notice", "output": "x", "output_fields": {} }""", "application/json", 400)]
    [InlineData("""{ "id": "x" }""", "text/plain", 415)]
    public async Task BadInput_IsRefusedKeptAsPoisonAndChangesNothing(string body, string contentType, int expected)
    {
        using var flow = new FlowClient(host);
        // An event stored now would be the newest: it would change the first page.
        var newestBefore = await NewestEventIdsAsync(flow);

        var (status, answer) = await flow.PostAsync("api/alerts", body, contentType);

        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrEmpty((string?)answer["error"]));
        Assert.Equal(newestBefore, await NewestEventIdsAsync(flow));
        Assert.Equal(200, (int)(await flow.Http.GetAsync(new Uri("api/health", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        using var flow = new FlowClient(host);

        var (status, _) = await flow.PostAsync("api/alerts", "[" + new string(' ', 1_100_000) + "]");

        Assert.Equal(413, status);
    }

    [Theory]
    [InlineData(0, 400)] // at the limit: read whole, and refused as what it is (no alert)
    [InlineData(1, 413)] // one byte over: refused unread
    public async Task BodyWithoutALength_IsReadUpToTheLimitOnly(int overLimit, int expected)
    {
        // Sent in chunks, without Content-Length: the host learns the size only by reading.
        using var flow = new FlowClient(host);
        var newestBefore = await NewestEventIdsAsync(flow);
        var body = Encoding.UTF8.GetBytes("[" + new string(' ', (1024 * 1024) - 2 + overLimit) + "]");
        using var content = new UnsizedContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var answer = await flow.Http.PostAsync(new Uri("api/alerts", UriKind.Relative), content);
        var error = await answer.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Null(answer.RequestMessage!.Content!.Headers.ContentLength);
        Assert.Equal(expected, (int)answer.StatusCode);
        Assert.StartsWith(expected == 413 ? "the body is larger than 1048576 bytes" : "the alerts could not be read", (string?)error!["error"], StringComparison.Ordinal);
        Assert.Equal(newestBefore, await NewestEventIdsAsync(flow));
    }

    [Fact]
    public async Task ForgedApprovalToken_GetsClearPageAnd404()
    {
        using var anonymous = host.CreateAnonymousClient();
        anonymous.DefaultRequestHeaders.Accept.Clear();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        using var page = await anonymous.GetAsync(new Uri("api/approvals/forged.token", UriKind.Relative));

        Assert.Equal(404, (int)page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A body whose length the client does not know, so it goes in chunks.</summary>
    private sealed class UnsizedContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>The ids of the newest events, newest first.</summary>
    private static async Task<string?[]> NewestEventIdsAsync(FlowClient flow) =>
        (await flow.GetAsync("api/events?limit=20"))["events"]!.AsArray().Select(item => (string?)item!["id"]).ToArray();
}
