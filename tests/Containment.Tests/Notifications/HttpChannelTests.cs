using System.Text;
using System.Text.Json;
using Containment.Local.Hosting;
using Containment.Notifications;
using Containment.Notifications.Channels;
using Containment.Playbooks;

namespace Containment.Tests.Notifications;

public sealed class HttpChannelTests : IDisposable
{
    private readonly LoopbackReceiver receiver = new();

    public void Dispose() => receiver.Dispose();

    [Fact]
    public async Task Teams_ApprovalRequest_PostsAdaptiveCard15WithOpenUrlActions()
    {
        using var harness = Harness("soc-teams", "teams");

        var result = await harness.SendAsync(Request("soc-teams", NotificationTemplate.ApprovalRequested));

        Assert.True(result.AllSent);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var body = request.Json();
        Assert.Equal("message", body.GetProperty("type").GetString());
        var attachment = Assert.Single(body.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Null, attachment.GetProperty("contentUrl").ValueKind);
        var card = attachment.GetProperty("content");
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("1.5", card.GetProperty("version").GetString());
        var blocks = card.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["RichTextBlock", "RichTextBlock"], blocks.Take(2).Select(block => block.GetProperty("type").GetString()));
        Assert.Equal("Approval needed: payments/api-7d9f8-abcde", Literal(blocks[0]));
        Assert.All(blocks.Skip(2), block => Assert.Equal("ColumnSet", block.GetProperty("type").GetString()));
        var facts = blocks.Skip(2).Select(row => row.GetProperty("columns").EnumerateArray().Select(column => Literal(column.GetProperty("items")[0])).ToList())
            .ToDictionary(row => row[0], row => row[1]);
        Assert.Equal("payments", facts["Namespace"]);
        Assert.Equal("api-7d9f8-abcde", facts["Pod"]);
        Assert.Equal("run-1", facts["Run"]);
        var actions = card.GetProperty("actions").EnumerateArray().ToList();
        Assert.All(actions, action => Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString()));
        Assert.Equal(["https://containment.example.com/api/approvals/tok?d=approve", "https://containment.example.com/api/approvals/tok?d=reject"],
            actions.Select(action => action.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task Teams_AlertWithHugeFields_PostsACardTeamsTakes_TheFieldsBeginningsShown()
    {
        // Teams refuses a message over 28 KB; a detector's title, rule, image or source can be any length, and escaping in
        // JSON lengthens what they hold. The approval's link must reach the channel all the same.
        using var harness = Harness("soc-teams", "teams");
        var huge = string.Concat(Enumerable.Repeat("\"é\u0001<", 25_000));
        var alert = TestAlerts.ReverseShell() with { Title = "Shell: " + huge, Rule = huge, Source = "edr-" + huge };
        alert = alert with { Target = alert.Target with { Image = "registry.example.com/" + huge } };

        var result = await harness.SendAsync(Request("soc-teams", NotificationTemplate.ApprovalRequested, alert));

        Assert.True(result.AllSent);
        var request = Assert.Single(receiver.Requests);
        Assert.InRange(request.Body.Length, 1, TeamsCard.MaxMessageBytes);
        var blocks = request.Json().GetProperty("attachments")[0].GetProperty("content").GetProperty("body").EnumerateArray().Skip(2);
        var facts = blocks.Select(row => row.GetProperty("columns").EnumerateArray().Select(column => Literal(column.GetProperty("items")[0])).ToList())
            .ToDictionary(row => row[0], row => row[1]);
        Assert.StartsWith("Shell: \"é\u0001<", facts["Alert"], StringComparison.Ordinal);
        Assert.EndsWith("…", facts["Alert"], StringComparison.Ordinal);
        Assert.Equal(2, request.Json().GetProperty("attachments")[0].GetProperty("content").GetProperty("actions").GetArrayLength());
    }

    /// <summary>The text of a card's <c>RichTextBlock</c> of one <c>TextRun</c>.</summary>
    private static string Literal(JsonElement block) => Assert.Single(block.GetProperty("inlines").EnumerateArray()).GetProperty("text").GetString()!;

    [Fact]
    public async Task Slack_Isolated_PostsHeaderSectionFieldsAndUrlButtons()
    {
        using var harness = Harness("soc-slack", "slack");

        var result = await harness.SendAsync(Request("soc-slack", NotificationTemplate.ApprovalRequested, TestAlerts.ReverseShell(TestAlerts.HostilePod)));

        Assert.True(result.AllSent);
        var body = Assert.Single(receiver.Requests).Json();
        Assert.StartsWith("Approval needed: payments/api-&lt;script&gt;alert(1)&lt;/script&gt;&amp;\"x\": ", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = body.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["header", "section", "section", "section", "actions"], blocks.Select(block => block.GetProperty("type").GetString()));
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        var fields = blocks.Skip(2).Take(2).SelectMany(block => block.GetProperty("fields").EnumerateArray()).ToList();
        Assert.True(blocks[2].GetProperty("fields").GetArrayLength() <= 10);
        Assert.All(fields, field => Assert.Equal("mrkdwn", field.GetProperty("type").GetString()));

        // Verbatim: a URL or channel name in a value is not made a link.
        Assert.All([blocks[1].GetProperty("text"), .. fields], text => Assert.True(text.GetProperty("verbatim").GetBoolean()));
        Assert.Contains(fields, field => field.GetProperty("text").GetString() == "*Pod*\napi-&lt;script&gt;alert(1)&lt;/script&gt;&amp;\"x\"");
        var buttons = blocks[4].GetProperty("elements").EnumerateArray().ToList();
        Assert.All(buttons, button => Assert.Equal("button", button.GetProperty("type").GetString()));
        Assert.Equal(["primary", "danger"], buttons.Select(button => button.GetProperty("style").GetString()));
        Assert.Equal("https://containment.example.com/api/approvals/tok?d=approve", buttons[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Webhook_WithSecret_SignsTimestampAndExactBody()
    {
        using var harness = Harness("soc-oncall", "webhook", ("Secret", "a-shared-secret-of-some-length"));

        var result = await harness.SendAsync(Request("soc-oncall", NotificationTemplate.Isolated));

        Assert.True(result.AllSent);
        var request = Assert.Single(receiver.Requests);
        var timestamp = request.Headers[WebhookSignature.TimestampHeader];
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        var signature = request.Headers[WebhookSignature.SignatureHeader];
        Assert.StartsWith("sha256=", signature, StringComparison.Ordinal);
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("a-shared-secret-of-some-length"));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash([.. Encoding.ASCII.GetBytes(timestamp + "."), .. request.Body]));
        Assert.Equal(expected, signature);
        Assert.True(WebhookSignature.Verify("a-shared-secret-of-some-length", timestamp, request.Body, signature));
        Assert.False(WebhookSignature.Verify("a-shared-secret-of-some-length", timestamp, [.. request.Body, (byte)' '], signature));
        Assert.False(WebhookSignature.Verify("a-shared-secret-of-some-length", "1", request.Body, signature));

        var body = request.Json();
        Assert.Equal("isolated", body.GetProperty("event").GetString());
        Assert.Equal("run-1", body.GetProperty("runId").GetString());
        Assert.Equal("reverse-shell", body.GetProperty("alert").GetProperty("category").GetString());
        Assert.Equal("high", body.GetProperty("alert").GetProperty("severity").GetString());
        Assert.Equal("payments", body.GetProperty("pod").GetProperty("namespace").GetString());
        Assert.Equal("api-7d9f8-abcde", body.GetProperty("pod").GetProperty("name").GetString());
        Assert.Equal("aks-prod", body.GetProperty("pod").GetProperty("cluster").GetString());
        Assert.Equal("https://containment.example.com/api/approvals/tok?d=approve", body.GetProperty("links").GetProperty("approve").GetString());
        Assert.Contains("was isolated", body.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_WithoutSecret_SendsNoSignature()
    {
        using var harness = Harness("soc-oncall", "webhook");

        await harness.SendAsync(Request("soc-oncall", NotificationTemplate.Released));

        Assert.False(Assert.Single(receiver.Requests).Headers.ContainsKey(WebhookSignature.SignatureHeader));
    }

    [Fact]
    public async Task Send_500Then429ThenOk_RetriesHonouringRetryAfterAndSucceeds()
    {
        using var harness = Harness("soc-teams", "teams");
        receiver.Answer(500);
        receiver.Answer(429, retryAfter: "30");

        var result = await harness.SendAsync(Request("soc-teams", NotificationTemplate.Failed));

        var channel = Assert.Single(result.Channels);
        Assert.Equal(ChannelSendStatus.Sent, channel.Status);
        Assert.Equal(3, channel.Attempts);
        Assert.Equal(3, receiver.Requests.Count);
        var delays = harness.Time.Delays.ToList();
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0], TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(30), delays[1]);
    }

    [Fact]
    public async Task Send_RetryAfterOfAnHour_WaitsAtMostTheMaximumDelay()
    {
        using var harness = Harness("soc-teams", "teams");
        receiver.Answer(429, retryAfter: "3600");

        var result = await harness.SendAsync(Request("soc-teams", NotificationTemplate.Failed));

        Assert.True(result.AllSent);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal([TimeSpan.FromMinutes(2)], harness.Time.Delays);
    }

    [Fact]
    public async Task Send_Always500_FailsAfterFourAttemptsWithReason()
    {
        using var harness = Harness("soc-teams", "teams");
        for (var i = 0; i < 4; i++)
        {
            receiver.Answer(500);
        }

        var result = await harness.SendAsync(Request("soc-teams", NotificationTemplate.Escalation));

        var channel = Assert.Single(result.Channels);
        Assert.Equal(ChannelSendStatus.Failed, channel.Status);
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal("channel soc-teams: the webhook answered 500 Internal Server Error after 4 attempts", channel.Reason);
    }

    [Fact]
    public async Task Send_403_IsNotRetriedAndIsReportedWithoutTheUrl()
    {
        using var harness = Harness("soc-teams", "teams");
        receiver.Answer(403);

        var result = await harness.SendAsync(Request("soc-teams", NotificationTemplate.AlertReceived));

        var channel = Assert.Single(result.Channels);
        Assert.Equal(ChannelSendStatus.Failed, channel.Status);
        Assert.Single(receiver.Requests);
        Assert.Equal("channel soc-teams: the webhook answered 403 Forbidden after 1 attempt", channel.Reason);
        Assert.NotEmpty(harness.Logs.Lines);
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains("query-secret-123", StringComparison.Ordinal) || line.Contains("/hooks/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_UnknownChannel_FailsThatChannelOnly()
    {
        using var harness = Harness("soc-slack", "slack");

        var result = await harness.SendAsync(Request("soc-slack", NotificationTemplate.Approved) with { Channels = ["soc-slack", "nowhere"] });

        Assert.Equal(ChannelSendStatus.Sent, result.Channels[0].Status);
        Assert.Equal("channel nowhere: the channel is not configured", result.Channels[1].Reason);
        Assert.False(result.AllSent);
    }

    [Fact]
    public async Task Send_Unreachable_FailsAfterRetriesWithReason()
    {
        var port = FreePort.Next();
        using var harness = new NotificationHarness(new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:dead:Type"] = "webhook",
            ["Containment:Notifications:Channels:dead:Url"] = $"http://127.0.0.1:{port}/x?token=secret",
            ["Containment:Notifications:MaxAttempts"] = "2",
        });

        var result = await harness.SendAsync(Request("dead", NotificationTemplate.Failed));

        var channel = Assert.Single(result.Channels);
        Assert.Equal(ChannelSendStatus.Failed, channel.Status);
        Assert.Equal(2, channel.Attempts);
        Assert.StartsWith("channel dead: the webhook could not be reached", channel.Reason, StringComparison.Ordinal);
        Assert.EndsWith("after 2 attempts", channel.Reason, StringComparison.Ordinal);
    }

    private NotificationHarness Harness(string name, string type, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Containment:Notifications:Channels:{name}:Type"] = type,
            [$"Containment:Notifications:Channels:{name}:Url"] = receiver.Url.AbsoluteUri,
        };
        foreach (var (key, value) in extra)
        {
            settings[$"Containment:Notifications:Channels:{name}:{key}"] = value;
        }

        var harness = new NotificationHarness(settings);
        receiver.Clock = harness.Time.GetUtcNow;
        return harness;
    }

    internal static NotificationRequest Request(string channel, NotificationTemplate template, Containment.Alerts.Alert? alert = null) => new()
    {
        Template = template,
        Alert = alert ?? TestAlerts.ReverseShell(),
        Channels = [channel],
        RunId = "run-1",
        ApproveUrl = new Uri("https://containment.example.com/api/approvals/tok?d=approve"),
        RejectUrl = new Uri("https://containment.example.com/api/approvals/tok?d=reject"),
    };
}
