using System.Text;
using Containment.Isolation.Drift;
using Containment.Ledger;
using Containment.Notifications;
using Containment.Notifications.Channels;

namespace Containment.Tests.Notifications;

/// <summary>The drift watch's message: its wording, every channel's layout of it, and the webhook's body.</summary>
public sealed class DriftNoticeTests : IDisposable
{
    private static readonly DateTimeOffset CheckedAt = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private readonly LoopbackReceiver receiver = new();

    public void Dispose() => receiver.Dispose();

    public static DriftFinding Finding(string pod, DriftKind kind = DriftKind.QuarantinedWithoutIsolation) =>
        new(kind, "aks-prod", "payments", pod, $"aks-prod~payments~{pod}", $"the pod carries quarantine q-{pod}, and its record says released since 2026-11-24 02:00:00Z", IsolationStatus.Released, CheckedAt.AddHours(-1));

    public static DriftNotice Notice(IReadOnlyList<DriftFinding> findings, params ClusterChecked[] unread) =>
        new(CheckedAt, findings, unread, findings.Count + 3, [], ["soc-oncall"]);

    [Fact]
    public void Render_TwoFindingsOfOnePod_CountsOnePodInTheSingular_AndListsEach()
    {
        var message = DriftNoticeTemplate.Render(Notice([Finding("api-1"), Finding("api-1", DriftKind.QuarantinedWithoutFence)]));

        Assert.Equal(DriftNotice.FoundEvent, message.Event);
        Assert.Equal("Drift: 1 pod disagrees with the isolation ledger", message.Title);
        Assert.StartsWith("2 disagreements between the clusters and the isolation ledger are new since the last check (5 in all).", message.Summary, StringComparison.Ordinal);
        Assert.True(message.Urgent);
        Assert.Equal(
            ["quarantined-without-isolation: the pod carries quarantine q-api-1", "quarantined-without-fence: the pod carries quarantine q-api-1"],
            message.Facts.Where(fact => fact.Label == "aks-prod/payments/api-1").Select(fact => fact.Value[..fact.Value.IndexOf(',', StringComparison.Ordinal)]));
        Assert.Equal("2026-11-24 03:00:00 UTC", Assert.Single(message.Facts, fact => fact.Label == "Checked").Value);
    }

    [Fact]
    public void Render_OnlyCleared_SaysWhatHasClearedWithoutUrgency()
    {
        var message = DriftNoticeTemplate.Render(Notice([]) with { Cleared = [new DriftCleared("aks-prod", DriftKind.QuarantinedWithoutFence, "payments", "api-1"), new DriftCleared("aks-gone")] });

        Assert.Equal(DriftNotice.ClearedEvent, message.Event);
        Assert.Equal("Drift cleared: 2 disagreements reported before are gone", message.Title);
        Assert.False(message.Urgent);
        Assert.Equal("quarantined-without-fence: cleared", Assert.Single(message.Facts, fact => fact.Label == "aks-prod/payments/api-1").Value);
        Assert.Equal("read again", Assert.Single(message.Facts, fact => fact.Label == "Cluster aks-gone").Value);
    }

    [Fact]
    public void Render_NewAndCleared_IsUrgentAndSaysBoth()
    {
        var message = DriftNoticeTemplate.Render(Notice([Finding("api-2")]) with { Cleared = [new DriftCleared("aks-prod", DriftKind.QuarantinedWithoutFence, "payments", "api-1")] });

        Assert.Equal(DriftNotice.FoundEvent, message.Event);
        Assert.True(message.Urgent);
        Assert.EndsWith(" 1 disagreement reported before has cleared.", message.Summary, StringComparison.Ordinal);
        Assert.Equal(["aks-prod/payments/api-2", "aks-prod/payments/api-1", "Checked"], message.Facts.Select(fact => fact.Label));
    }

    [Fact]
    public void Render_MoreFindingsThanFit_ListsTheFirstAndSaysHowManyMore()
    {
        var findings = Enumerable.Range(0, DriftNoticeTemplate.MaxFacts + 7).Select(index => Finding($"api-{index}")).ToList();

        var message = DriftNoticeTemplate.Render(Notice(findings));

        Assert.Equal($"Drift: {findings.Count} pods disagree with the isolation ledger", message.Title);
        Assert.Equal(DriftNoticeTemplate.MaxFacts, message.Facts.Count(fact => fact.Label.StartsWith("aks-prod/", StringComparison.Ordinal)));
        Assert.Equal("7 more", Assert.Single(message.Facts, fact => fact.Label == "More").Value);
    }

    [Fact]
    public void Render_OnlyAnUnreadCluster_NamesItAndWhy()
    {
        var message = DriftNoticeTemplate.Render(Notice([], new ClusterChecked("aks-gone", 0, 0, "Connection refused (127.0.0.1:9)")));

        Assert.Equal("Drift check could not read cluster aks-gone", message.Title);
        Assert.Contains("cannot be verified", message.Summary, StringComparison.Ordinal);
        Assert.Equal("not checked: Connection refused (127.0.0.1:9)", Assert.Single(message.Facts, fact => fact.Label == "Cluster aks-gone").Value);
    }

    [Fact]
    public void Render_OnlyAClusterShortOfAccess_NamesItWhatIsMissingAndTheRole()
    {
        var shortOfAccess = new ClusterChecked("aks-prod", 2, 2, MissingPermissions: [new("", "pods", ["patch"]), new("", "nodes", ["list"])]);

        var message = DriftNoticeTemplate.Render(Notice([]) with { ShortOfAccess = [shortOfAccess] });

        Assert.Equal("Containment may not do all it needs on cluster aks-prod", message.Title);
        Assert.Contains("fail there with 403 (forbidden). Grant it the role `containment rbac` prints.", message.Summary, StringComparison.Ordinal);
        Assert.True(message.Urgent);
        Assert.Equal("Containment may not: patch pods; list nodes", Assert.Single(message.Facts, fact => fact.Label == "Cluster aks-prod").Value);
    }

    [Fact]
    public void Render_FindingsAndAClusterShortOfAccess_SaysBoth_AndAccessGrantedClears()
    {
        var shortOfAccess = new ClusterChecked("aks-dev", 0, 0, MissingPermissions: [new("", "pods", ["delete"])]);

        var both = DriftNoticeTemplate.Render(Notice([Finding("api-1")]) with { ShortOfAccess = [shortOfAccess] });
        var granted = DriftNoticeTemplate.Render(Notice([]) with { Cleared = [new DriftCleared("aks-dev", AccessGranted: true)] });

        Assert.StartsWith("Drift: 1 pod disagrees", both.Title, StringComparison.Ordinal);
        Assert.Contains("may not do all it needs on cluster aks-dev", both.Summary, StringComparison.Ordinal);
        Assert.False(granted.Urgent);
        Assert.Equal("Containment may do all it needs again", Assert.Single(granted.Facts, fact => fact.Label == "Cluster aks-dev").Value);
    }

    [Fact]
    public void Render_EveryChannel_LaysOutTheFindings()
    {
        var message = DriftNoticeTemplate.Render(Notice([Finding("api-1")]));
        var hostile = DriftNoticeTemplate.Render(Notice([Finding("api-<b>1</b>")]));

        Assert.Contains("aks-prod/payments/api-1", TeamsCard.Render(message).ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("aks-prod/payments/api-1", SlackBlocks.Render(message).ToJsonString(), StringComparison.Ordinal);
        var html = EmailContent.Html(hostile);
        Assert.Contains("api-&lt;b&gt;1&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>1</b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_DriftNotice_IsSignedAndCarriesEachFindingAsTheApiAnswersIt()
    {
        using var harness = new NotificationHarness(new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:soc-oncall:Type"] = "webhook",
            ["Containment:Notifications:Channels:soc-oncall:Url"] = receiver.Url.AbsoluteUri,
            ["Containment:Notifications:Channels:soc-oncall:Secret"] = "a-shared-secret-of-some-length",
        });

        var result = await harness.DriveAsync(harness.Sender.SendAsync(Notice([Finding("api-1")], new ClusterChecked("aks-gone", 0, 0, "refused")), CancellationToken.None));

        Assert.True(result.AllSent, result.Channels[0].Reason);
        var request = Assert.Single(receiver.Requests);
        Assert.True(WebhookSignature.Verify("a-shared-secret-of-some-length", request.Headers[WebhookSignature.TimestampHeader], request.Body, request.Headers[WebhookSignature.SignatureHeader]));
        var body = request.Json();
        Assert.Equal("drift-found", body.GetProperty("event").GetString());
        Assert.Equal(CheckedAt, body.GetProperty("checkedAt").GetDateTimeOffset());
        Assert.Equal(4, body.GetProperty("standing").GetInt32());
        var finding = Assert.Single(body.GetProperty("findings").EnumerateArray());
        Assert.Equal("quarantined-without-isolation", finding.GetProperty("kind").GetString());
        Assert.Equal("released", finding.GetProperty("record").GetString());
        Assert.Equal("api-1", finding.GetProperty("pod").GetString());
        Assert.Equal("aks-prod~payments~api-1", finding.GetProperty("isolationId").GetString());
        var cluster = Assert.Single(body.GetProperty("uncheckedClusters").EnumerateArray());
        Assert.Equal("aks-gone", cluster.GetProperty("cluster").GetString());
        Assert.Equal("refused", cluster.GetProperty("error").GetString());
        Assert.Equal(0, body.GetProperty("cleared").GetArrayLength());
        Assert.Equal(0, body.GetProperty("clustersShortOfAccess").GetArrayLength());
        Assert.Contains("Drift: 1 pod disagrees", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(body.GetProperty("facts").EnumerateArray(), fact => fact.GetProperty("label").GetString() == "Cluster aks-gone");
        Assert.DoesNotContain("query-secret-123", Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
    }
}
