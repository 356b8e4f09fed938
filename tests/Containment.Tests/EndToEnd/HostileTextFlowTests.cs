using System.Text.Json.Nodes;
using Containment.Tests.Support;

namespace Containment.Tests.EndToEnd;

/// <summary>
/// An alert's free text (id, title, description, rule) is the detector's, and so the attacker's to shape: it is
/// taken as it is, kept exactly, and carried to chat and to the approval page as text, never as markup or headers.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HostileTextFlowTests(LocalHostFixture host)
{
    private const string Markup = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    private const string Controls = "line\r\nX-Injected: yes\r\n\u0000\u0007\u001b[31m\u202Egnp.exe";
    private const string Others = "{{approve}} ${env:SECRET} %0d%0a '; DROP TABLE Events; -- \"quoted\" \\back\\slash 🦠 ␀";

    [Fact]
    public async Task HostileFreeText_IsolatesKeepsTheTextExactlyAndCarriesItAsText()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var id = $"{Guid.NewGuid()}/a%2Fb/../#?%&+ ;{Markup}";
        var alert = new JsonObject
        {
            ["id"] = id,
            ["source"] = "soc/analyst#1",
            ["category"] = "reverse-shell",
            ["severity"] = "high",
            ["time"] = "2026-11-22T08:00:00Z",
            ["target"] = new JsonObject { ["cluster"] = LocalHostFixture.Cluster, ["namespace"] = LocalHostFixture.Namespace, ["pod"] = pod },
            ["title"] = Markup + Controls,
            ["description"] = Others + new string('d', 20_000),
            ["rule"] = Controls + Markup,
        };

        var (status, body) = await flow.PostAsync("api/alerts", alert.ToJsonString());
        Assert.True(status == 202, body.ToJsonString());
        var entry = body["alerts"]![0]!;
        var instanceId = (string)entry["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);

        // Kept exactly, and found by its id escaped as any client escapes it, slashes and an escaped slash's text included.
        var eventId = (string)entry["eventId"]!;
        using var read = await flow.Http.GetAsync(new Uri($"api/events/{Uri.EscapeDataString(eventId)}", UriKind.Relative));
        Assert.True(read.IsSuccessStatusCode, $"{(int)read.StatusCode} {await read.Content.ReadAsStringAsync()}");
        var stored = JsonNode.Parse(await read.Content.ReadAsStringAsync())!;
        var storedAlert = stored["event"]!["alert"]!;
        Assert.Equal(id, (string?)storedAlert["id"]);
        Assert.Equal(alert["title"]!.GetValue<string>(), (string?)storedAlert["title"]);
        Assert.Equal(alert["description"]!.GetValue<string>(), (string?)storedAlert["description"]);
        Assert.Equal(alert["rule"]!.GetValue<string>(), (string?)storedAlert["rule"]);
        Assert.Equal("isolated", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!["status"]);
        var (changed, record) = await flow.PostAsync($"api/events/{Uri.EscapeDataString(eventId)}/status", """{ "status": "ignored", "reason": "triaged" }""");
        Assert.True(changed == 200, record.ToJsonString());
        Assert.Equal(eventId, (string?)record["id"]);
        Assert.Equal("ignored", (string?)record["status"]);

        // Carried to chat as JSON strings: every message about the pod parses and holds the alert's text, which Slack,
        // reading <…> as links and mentions (<!channel>), gets escaped.
        var link = await flow.ApprovalLinkAsync(pod);
        var messages = host.Channels.Requests.Select(request => JsonNode.Parse(request.Body)!).Where(message => message.ToJsonString().Contains(pod, StringComparison.Ordinal)).ToList();
        var slackEscaped = Markup.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        Assert.Contains(messages, message => message["blocks"] is null);
        Assert.Contains(messages, message => message["blocks"] is not null);
        Assert.All(messages, message => Assert.Contains(Strings(message), text => text.Contains(message["blocks"] is null ? Markup : slackEscaped, StringComparison.Ordinal)));
        Assert.All(messages.Where(message => message["blocks"] is not null), message => Assert.DoesNotContain(Strings(message), text => text.Contains("<script", StringComparison.Ordinal)));

        // Shown on the approval page as text: the markup is escaped, the control characters do not reach the page.
        using var anonymous = host.CreateAnonymousClient();
        using var asked = new HttpRequestMessage(HttpMethod.Get, link);
        asked.Headers.Accept.ParseAdd("text/html");
        using var page = await anonymous.SendAsync(asked);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0000', html);
        Assert.DoesNotContain("\r\nX-Injected", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentinelIncident_EachPodsEventReadAndMarkedByItsId_SlashesAndAll()
    {
        using var flow = new FlowClient(host);
        var (first, second) = (host.TakePod(), host.TakePod());
        var incident = FlowClient.Payload("sentinel-incident.json", first, ("cart-7c5b9d4f8-r8tvw", second), ("c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f", Guid.NewGuid().ToString()));

        var (status, body) = await flow.PostAsync("api/alerts", incident);

        Assert.True(status == 202, body.ToJsonString());
        var eventIds = body["alerts"]!.AsArray().Select(entry => (string)entry!["eventId"]!).ToList();
        Assert.Equal(2, eventIds.Count);
        foreach (var eventId in eventIds)
        {
            Assert.Contains('/', eventId);
            var read = await flow.GetAsync($"api/events/{Uri.EscapeDataString(eventId)}");
            Assert.Equal(eventId, (string?)read["event"]!["id"]);
            var (changed, record) = await flow.PostAsync($"api/events/{Uri.EscapeDataString(eventId)}/status", """{ "status": "processed", "reason": "handled in Sentinel" }""");
            Assert.True(changed == 200, record.ToJsonString());
            Assert.Equal("processed", (string?)record["status"]);

            // Azure Functions answers 404 to a path holding an escaped slash: the id as a query value reaches the event there.
            var byQuery = await flow.GetAsync($"api/event?id={Uri.EscapeDataString(eventId)}");
            var (ignored, again) = await flow.PostAsync($"api/event/status?id={Uri.EscapeDataString(eventId)}", """{ "status": "ignored", "reason": "a duplicate in Sentinel" }""");
            Assert.Equal(eventId, (string?)byQuery["event"]!["id"]);
            Assert.Equal("processed", (string?)byQuery["event"]!["status"]);
            Assert.True(ignored == 200, again.ToJsonString());
            Assert.Equal("ignored", (string?)again["status"]);
            Assert.Equal(
                "processed → ignored: a duplicate in Sentinel",
                (string?)(await flow.GetAsync($"api/event?id={Uri.EscapeDataString(eventId)}"))["audit"]!.AsArray().Last(entry => (string?)entry!["action"] == "event-status-changed")!["detail"]);
        }
    }

    [Theory]
    [InlineData("GET", "api/event")]
    [InlineData("GET", "api/event?id=")]
    [InlineData("POST", "api/event/status")]
    public async Task EventByQuery_WithoutAnId_Is400AtId(string method, string path)
    {
        using var flow = new FlowClient(host);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "POST" ? new StringContent("""{ "status": "ignored", "reason": "r" }""", System.Text.Encoding.UTF8, "application/json") : null,
        };

        using var response = await flow.Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("id", (string?)body["details"]![0]!["pointer"]);
    }

    [Fact]
    public async Task EventByQuery_UnknownId_Is404NamingIt()
    {
        using var flow = new FlowClient(host);

        using var response = await flow.Http.GetAsync(new Uri("api/event?id=" + Uri.EscapeDataString("sentinel:no/such/event"), UriKind.Relative));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("no security event 'sentinel:no/such/event'", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(member => Strings(member.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var text) => [text],
        _ => [],
    };
}
