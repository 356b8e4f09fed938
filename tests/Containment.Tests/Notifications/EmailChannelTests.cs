using System.Text.Json;
using Containment.Local.Hosting;
using Containment.Notifications;
using Containment.Playbooks;

namespace Containment.Tests.Notifications;

public sealed class EmailChannelTests(MaildevFixture maildev) : IClassFixture<MaildevFixture>
{
    [Fact]
    public async Task Send_ApprovalRequest_ArrivesWithSubjectRecipientsAndBothParts()
    {
        var recipient = $"soc-{Guid.NewGuid():N}@example.com";
        using var harness = Harness(recipient + ", lead@example.com");

        var result = await harness.SendAsync(HttpChannelTests.Request("soc-email", NotificationTemplate.ApprovalRequested));

        Assert.True(result.AllSent, result.Channels[0].Reason);
        var email = await FindAsync(recipient);
        Assert.Equal("[Containment] Approval needed: payments/api-7d9f8-abcde", email.GetProperty("subject").GetString());
        var to = email.GetProperty("to").EnumerateArray().Select(address => address.GetProperty("address").GetString()).ToList();
        Assert.Equal([recipient, "lead@example.com"], to);
        var text = email.GetProperty("text").GetString()!;
        Assert.Contains("Pod: api-7d9f8-abcde", text, StringComparison.Ordinal);
        Assert.Contains("https://containment.example.com/api/approvals/tok?d=approve", text, StringComparison.Ordinal);
        var html = email.GetProperty("html").GetString()!;
        Assert.Contains("<td style=\"padding:2px 0\">registry.example.com/payments/api:1.4.2</td>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://containment.example.com/api/approvals/tok?d=approve\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_HostilePodName_IsHtmlEncodedInTheHtmlPart()
    {
        var recipient = $"soc-{Guid.NewGuid():N}@example.com";
        using var harness = Harness(recipient);

        var result = await harness.SendAsync(HttpChannelTests.Request("soc-email", NotificationTemplate.Isolated, TestAlerts.ReverseShell(TestAlerts.HostilePod)));

        Assert.True(result.AllSent, result.Channels[0].Reason);
        var html = (await FindAsync(recipient)).GetProperty("html").GetString()!;
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("api-&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_DriftNotice_ArrivesWithEachFinding()
    {
        var recipient = $"soc-{Guid.NewGuid():N}@example.com";
        using var harness = Harness(recipient);
        var notice = DriftNoticeTests.Notice([DriftNoticeTests.Finding("api-1"), DriftNoticeTests.Finding("api-2")]) with { Channels = ["soc-email"] };

        var result = await harness.DriveAsync(harness.Sender.SendAsync(notice, CancellationToken.None));

        Assert.True(result.AllSent, result.Channels[0].Reason);
        var email = await FindAsync(recipient);
        Assert.Equal("[Containment] Drift: 2 pods disagree with the isolation ledger", email.GetProperty("subject").GetString());
        var text = email.GetProperty("text").GetString()!;
        Assert.Contains("aks-prod/payments/api-1: quarantined-without-isolation: the pod carries quarantine q-api-1", text, StringComparison.Ordinal);
        Assert.Contains("aks-prod/payments/api-2: quarantined-without-isolation", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NoServer_FailsAfterRetriesNamingTheChannel()
    {
        var port = FreePort.Next();
        using var harness = EmailHarness(port, "soc@example.com", from: null, maxAttempts: 3);

        var result = await harness.SendAsync(HttpChannelTests.Request("soc-email", NotificationTemplate.Failed));

        var channel = Assert.Single(result.Channels);
        Assert.Equal(ChannelSendStatus.Failed, channel.Status);
        Assert.Equal(3, channel.Attempts);
        Assert.StartsWith($"channel soc-email: the SMTP server 127.0.0.1:{port} could not be reached", channel.Reason, StringComparison.Ordinal);
        Assert.EndsWith("after 3 attempts", channel.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_RelayGreylistsTheFirstTry_SentOnTheNextWithOneMessage()
    {
        await using var relay = new ScriptedSmtpServer(connection => connection == 1 ? "451 4.7.1 Greylisted, please try again later" : "250 2.1.5 Ok");
        using var harness = ScriptedHarness(relay);

        var result = await harness.SendAsync(HttpChannelTests.Request("soc-email", NotificationTemplate.ApprovalRequested));

        var channel = Assert.Single(result.Channels);
        Assert.Equal((ChannelSendStatus.Sent, 2), (channel.Status, channel.Attempts));
        Assert.Equal(2, relay.Connections);
        Assert.Contains("Subject: [Containment] Approval needed", Assert.Single(relay.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_RelayRefusesTheRecipientForGood_FailsAtOnceSayingSo()
    {
        await using var relay = new ScriptedSmtpServer(_ => "550 5.1.1 <soc@example.com>: Recipient address rejected");
        using var harness = ScriptedHarness(relay);

        var result = await harness.SendAsync(HttpChannelTests.Request("soc-email", NotificationTemplate.ApprovalRequested));

        var channel = Assert.Single(result.Channels);
        Assert.Equal((ChannelSendStatus.Failed, 1), (channel.Status, channel.Attempts));
        Assert.Equal(1, relay.Connections);
        Assert.Empty(relay.Messages);
        Assert.Equal($"channel soc-email: the SMTP server 127.0.0.1:{relay.Port} refused the message (550 MailboxUnavailable) after 1 attempt", channel.Reason);
    }

    private static NotificationHarness ScriptedHarness(ScriptedSmtpServer relay) => EmailHarness(relay.Port, "soc@example.com", maxAttempts: 3);

    private NotificationHarness Harness(string to) => EmailHarness(maildev.SmtpPort, to);

    /// <summary>The channel <c>soc-email</c>, plain SMTP to 127.0.0.1:<paramref name="port"/>.</summary>
    private static NotificationHarness EmailHarness(int port, string to, string? from = "Containment <containment@example.com>", int? maxAttempts = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:soc-email:Type"] = "email",
            ["Containment:Notifications:Channels:soc-email:SmtpHost"] = "127.0.0.1",
            ["Containment:Notifications:Channels:soc-email:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Containment:Notifications:Channels:soc-email:Security"] = "none",
            ["Containment:Notifications:Channels:soc-email:To"] = to,
        };
        if (from is not null)
        {
            settings["Containment:Notifications:Channels:soc-email:From"] = from;
        }

        if (maxAttempts is { } attempts)
        {
            settings["Containment:Notifications:MaxAttempts"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new NotificationHarness(settings);
    }

    private async Task<JsonElement> FindAsync(string recipient)
    {
        var emails = await maildev.EmailsAsync();
        return Assert.Single(emails, email => email.GetProperty("to").EnumerateArray().Any(address => address.GetProperty("address").GetString() == recipient));
    }
}
