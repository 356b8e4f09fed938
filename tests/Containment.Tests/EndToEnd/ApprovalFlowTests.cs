using System.Text;
using System.Text.Json.Nodes;
using Containment.Activities;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Tests.Support;
using Microsoft.Extensions.Options;

namespace Containment.Tests.EndToEnd;

/// <summary>Approval links over HTTP: the reject path, every kind of bad token, the approver rule, and a request that is no longer awaited.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ApprovalFlowTests(LocalHostFixture host)
{
    [Fact]
    public async Task Reject_KeepsThePodIsolatedAndSaysSo()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, body, link) = await WaitingForApprovalAsync(flow);

        using var anonymous = host.CreateAnonymousClient();
        using var decided = await anonymous.PostAsync(link, Form("reject", "still investigating"));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.Equal(200, (int)decided.StatusCode);
        Assert.Contains(done["history"]!.AsArray(), step => (string?)step!["stepId"] == "approve-release" && (string?)step["outcome"] == "rejected");
        Assert.True((await flow.PodAsync(pod))!["metadata"]!["labels"]!.AsObject().ContainsKey("containment.io/quarantine"));
        var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Equal("isolated", (string?)isolation["isolation"]!["status"]);

        // The pod's audit trail, each entry written with the change it tells of; messages sent are in the run's history.
        Assert.Equal(["isolated", "approval-requested", "rejected"], isolation["audit"]!.AsArray().Select(entry => (string?)entry!["action"]));
        var tellSoc = done["history"]!.AsArray().Single(step => (string?)step!["stepId"] == "tell-soc")!;
        Assert.Equal(["soc-teams", "soc-email"], tellSoc["outputs"]!.AsArray().Select(output => (string?)output!["channel"]));
        var eventId = (string)body["alerts"]![0]!["eventId"]!;
        var eventAudit = (await flow.GetAsync($"api/events/{Uri.EscapeDataString(eventId)}"))["audit"]!.AsArray();
        Assert.Equal(["event-status-changed"], eventAudit.Select(entry => (string?)entry!["action"]));

        // The chat messages that say the pod is isolated say too what the isolation could not guarantee (the cluster runs Calico).
        var isolated = host.Channels.Requests
            .Select(request => Encoding.UTF8.GetString(request.Body))
            .Where(text => text.Contains($"Isolated: {LocalHostFixture.Namespace}/{pod}", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, isolated.Count);
        Assert.All(isolated, text => Assert.Contains("Not guaranteed: Calico keeps connections established before the policy", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConcurrentDecisionsOnOneLink_OneWins_OthersToldWhichAndTheRunGetsOne()
    {
        using var flow = new FlowClient(host);
        var (_, instanceId, _, link) = await WaitingForApprovalAsync(flow);
        using var anonymous = AnonymousJsonClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async index =>
        {
            var verdict = index % 2 == 0 ? "approve" : "reject";
            using var response = await anonymous.PostAsync(link, Form(verdict, $"person {index}", $"soc{index}@contoso.com"));
            return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        var winner = Assert.Single(answers, answer => answer.Item1 == 200).Item2["decision"]!;
        var verdict = (string)winner["verdict"]!;
        var by = (string)winner["by"]!;
        Assert.All(answers.Where(answer => answer.Item1 != 200), answer =>
        {
            Assert.Equal(409, answer.Item1);
            Assert.StartsWith($"this link has been used: {verdict} by {by}", (string?)answer.Item2["error"], StringComparison.Ordinal);
        });
        Assert.Equal(verdict, (string?)done["history"]!.AsArray().Single(step => (string?)step!["stepId"] == "approve-release")!["outcome"]);
        var decisions = (await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["audit"]!.AsArray()
            .Where(entry => (string?)entry!["action"] is "approved" or "rejected").ToList();
        Assert.Equal(by, (string?)Assert.Single(decisions)!["actor"]);
    }

    [Fact]
    public async Task JsonClient_GetsEveryAnswerAsJson()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, _, link) = await WaitingForApprovalAsync(flow);
        using var client = AnonymousJsonClient();

        using var shown = await client.GetAsync(link);
        using var decided = await client.PostAsync(link, Form("approve", "checked", name: "bot@contoso.com"));
        using var again = await client.PostAsync(link, Form("reject", name: "bot@contoso.com"));
        using var invalid = await client.GetAsync(Link("not-a-token"));

        Assert.Equal("application/json", shown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(pod, (string?)JsonNode.Parse(await shown.Content.ReadAsStringAsync())!["request"]!["alert"]!["target"]!["pod"]);
        Assert.Equal(200, (int)decided.StatusCode);
        Assert.Equal("approved", (string?)JsonNode.Parse(await decided.Content.ReadAsStringAsync())!["decision"]!["verdict"]);
        Assert.Equal(409, (int)again.StatusCode);
        Assert.StartsWith("this link has been used: approved by bot@contoso.com", (string?)JsonNode.Parse(await again.Content.ReadAsStringAsync())!["error"]);
        Assert.Equal(404, (int)invalid.StatusCode);
        Assert.Equal("This approval link is not valid. Use the link exactly as it was sent.", (string?)JsonNode.Parse(await invalid.Content.ReadAsStringAsync())!["error"]);
        await flow.RunUntilAsync(instanceId, FlowClient.Finished);
    }

    [Fact]
    public async Task DecisionStoredButNeverRaised_RetryIs409AndTheRunGoesOn()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, _, link) = await WaitingForApprovalAsync(flow);
        var store = host.Get<ApprovalStore>();
        var (record, etag) = (await store.GetAsync(instanceId, ApprovalTokens.Hash(link.Segments[^1]), CancellationToken.None))!.Value;

        // What a host killed between storing the decision and raising it leaves behind.
        Assert.True(await store.DecideAsync(record, etag, new ApprovalDecision(ApprovalVerdict.Approved, "alice@contoso.com", DateTimeOffset.UtcNow), TestAudit.Entry(instanceId, AuditAction.Approved), CancellationToken.None));
        using var retry = await host.CreateAnonymousClient().PostAsync(link, Form("approve"));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.Equal(409, (int)retry.StatusCode);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        Assert.Contains(done["history"]!.AsArray(), step => (string?)step!["stepId"] == "approve-release" && (string?)step["outcome"] == "approved");
        Assert.False((await flow.PodAsync(pod))!["metadata"]!["labels"]!.AsObject().ContainsKey("containment.io/quarantine"));
    }

    [Fact]
    public async Task ExpiredToken_Is410()
    {
        var token = host.Get<ApprovalTokens>().Issue("c~n~p", "ask", 1, DateTimeOffset.UtcNow.AddMinutes(-1), "test|a");

        using var page = await host.CreateAnonymousClient().GetAsync(Link(token));

        Assert.Equal(410, (int)page.StatusCode);
    }

    [Fact]
    public async Task TamperedToken_Is404AndDecidesNothing()
    {
        var (token, record) = await StoreAsync(approvers: []);
        var tampered = token[..^3] + (token[^3] == 'A' ? 'B' : 'A') + token[^2..];

        using var page = await host.CreateAnonymousClient().PostAsync(Link(tampered), Form("approve"));

        Assert.Equal(404, (int)page.StatusCode);
        Assert.Null((await host.Get<ApprovalStore>().GetAsync(record.InstanceId, record.TokenHash, CancellationToken.None))!.Value.Record.Decision);
    }

    [Fact]
    public async Task TokenSignedWithAnotherKey_Is404()
    {
        var other = new ApprovalTokens(Options.Create(new ApprovalOptions { SigningKey = "another-signing-key-of-32-bytes-or-more" }));
        var token = other.Issue("c~n~p", "ask", 1, DateTimeOffset.UtcNow.AddHours(1), "test|a");

        using var page = await host.CreateAnonymousClient().GetAsync(Link(token));

        Assert.Equal(404, (int)page.StatusCode);
    }

    [Fact]
    public async Task WrongRoundToken_IsNotStored_Is404()
    {
        var (_, record) = await StoreAsync(approvers: []);
        var otherRound = host.Get<ApprovalTokens>().Issue(record.InstanceId, record.StepId, 2, record.ExpiresAt, ActivityTargets.EventId(record.Alert));

        using var page = await host.CreateAnonymousClient().PostAsync(Link(otherRound), Form("approve"));

        Assert.Equal(404, (int)page.StatusCode);
    }

    [Theory]
    [InlineData("eve@contoso.com")]
    [InlineData(null)]
    public async Task NamedApprovers_AnyoneElse_Is403AndDecidesNothing(string? identity)
    {
        var (token, record) = await StoreAsync(approvers: ["ana@contoso.com"]);
        using var client = host.CreateAnonymousClient();
        if (identity is not null)
        {
            client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-NAME", identity);
        }

        using var page = await client.PostAsync(Link(token), Form("approve"));

        Assert.Equal(403, (int)page.StatusCode);
        Assert.Null((await host.Get<ApprovalStore>().GetAsync(record.InstanceId, record.TokenHash, CancellationToken.None))!.Value.Record.Decision);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://attacker.example")]
    public async Task DecisionPostedByAnotherSite_Is403AndDecidesNothing(string header, string value)
    {
        var (token, record) = await StoreAsync(approvers: ["ana@contoso.com"]);
        using var client = host.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-NAME", "ana@contoso.com");
        client.DefaultRequestHeaders.Add(header, value);

        using var page = await client.PostAsync(Link(token), Form("approve"));

        Assert.Equal(403, (int)page.StatusCode);
        Assert.Contains("A decision is taken only from the approval page itself", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await host.Get<ApprovalStore>().GetAsync(record.InstanceId, record.TokenHash, CancellationToken.None))!.Value.Record.Decision);
    }

    /// <summary>The page's own form: Sec-Fetch-Site same-origin, and Origin null (the page's referrer policy is no-referrer).</summary>
    [Fact]
    public async Task DecisionPostedByThePageItself_IsTaken()
    {
        using var flow = new FlowClient(host);
        var (_, instanceId, _, link) = await WaitingForApprovalAsync(flow);
        using var client = AnonymousJsonClient();
        client.DefaultRequestHeaders.Add("Sec-Fetch-Site", "same-origin");
        client.DefaultRequestHeaders.Add("Origin", "null");

        using var decided = await client.PostAsync(link, Form("approve", "checked", name: "ana@contoso.com"));

        Assert.Equal(200, (int)decided.StatusCode);
        Assert.Equal("no-store", decided.Headers.CacheControl?.ToString());
        await flow.RunUntilAsync(instanceId, FlowClient.Finished);
    }

    [Fact]
    public async Task RequestNoLongerAwaited_SaysExpiredAndDecidesNothing()
    {
        // The run behind this request is not waiting for it (it timed out, or never existed).
        var (token, record) = await StoreAsync(approvers: []);

        using var page = await host.CreateAnonymousClient().PostAsync(Link(token), Form("approve"));

        Assert.Equal(410, (int)page.StatusCode);
        Assert.Null((await host.Get<ApprovalStore>().GetAsync(record.InstanceId, record.TokenHash, CancellationToken.None))!.Value.Record.Decision);
    }

    [Fact]
    public async Task FormWithoutDecision_Is400()
    {
        var (token, _) = await StoreAsync(approvers: []);

        using var page = await host.CreateAnonymousClient().PostAsync(Link(token), Form("maybe"));

        Assert.Equal(400, (int)page.StatusCode);
    }

    /// <summary>The typed name goes into the audit trail and the ledger's "changed by", which the CLI prints in a terminal.</summary>
    [Fact]
    public async Task TypedNameWithAnEscapeSequence_Is400AndDecidesNothing()
    {
        var (token, record) = await StoreAsync(approvers: []);

        using var page = await host.CreateAnonymousClient().PostAsync(Link(token), Form("approve", "checked", "Ana\u001b]0;approved by the CISO\u0007"));

        Assert.Equal(400, (int)page.StatusCode);
        Assert.Contains("the name holds a control character (U+001B at 3)", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await host.Get<ApprovalStore>().GetAsync(record.InstanceId, record.TokenHash, CancellationToken.None))!.Value.Record.Decision);
    }

    private async Task<(string Token, ApprovalRecord Record)> StoreAsync(IReadOnlyList<string> approvers)
    {
        var instanceId = "aks-prod~shop~nobody-" + Guid.NewGuid().ToString("N")[..6];
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var token = host.Get<ApprovalTokens>().Issue(instanceId, "ask", 1, expires, "test|a");
        var record = new ApprovalRecord
        {
            TokenHash = ApprovalTokens.Hash(token),
            InstanceId = instanceId,
            StepId = "ask",
            EventName = "approval-ask-1",
            ExpiresAt = expires,
            Message = "release?",
            Approvers = approvers,
            Alert = new Alert { Id = "a", Source = "test", Category = AlertCategory.ReverseShell, Severity = Severity.High, Time = DateTimeOffset.UtcNow, Target = new AlertTarget { Cluster = "aks-prod", Namespace = "shop", Pod = "nobody" } },
        };
        await host.Get<ApprovalStore>().AddAsync(record, TestAudit.Entry(instanceId, AuditAction.ApprovalRequested), CancellationToken.None);
        return (token, record);
    }

    /// <summary>A reverse-shell alert for a fresh pod, its run waiting for the release approval, and the link sent to chat.</summary>
    [Fact]
    public async Task Decide_StoredButItsAnswerLost_TheRunStillGetsTheDecision()
    {
        // The decision's write (a transaction: the request and its audit row) lands, its answer is lost, and the
        // SDK's next try finds the row changed.
        using var flow = new FlowClient(host);
        var (_, instanceId, _, link) = await WaitingForApprovalAsync(flow);
        var lostAnswer = new AnswerLostOnce("$batch");
        using var tables = host.LedgerTablesThrough(lostAnswer);
        var approvals = new Containment.Api.ApprovalsApi(host.Get<ApprovalTokens>(), new ApprovalStore(tables), host.Get<Containment.Runs.IPlaybookRuntime>(), TimeProvider.System);
        var request = new Containment.Api.ApiRequest
        {
            Method = "POST",
            BaseUri = host.BaseAddress,
            Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Accept"] = "application/json" },
            ContentType = "application/x-www-form-urlencoded",
            Body = BinaryData.FromString("decision=approve&comment=checked"),
        };

        var answer = await approvals.DecideAsync(request, Uri.UnescapeDataString(link.Segments[^1]), CancellationToken.None);
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(200, answer.Status);
        Assert.Contains(done["history"]!.AsArray(), step => (string?)step!["stepId"] == "approve-release" && (string?)step["outcome"] == "approved");
        var decisions = (await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["audit"]!.AsArray()
            .Where(entry => (string?)entry!["action"] == "approved");
        Assert.Single(decisions);
    }

    private async Task<(string Pod, string InstanceId, JsonNode Admitted, Uri Link)> WaitingForApprovalAsync(FlowClient flow)
    {
        var pod = host.TakePod();
        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        return (pod, instanceId, body, await flow.ApprovalLinkAsync(pod));
    }

    /// <summary>A client without the key whose <c>Accept</c> asks for JSON, as a chat bot posting decisions would be.</summary>
    private HttpClient AnonymousJsonClient()
    {
        var client = host.CreateAnonymousClient();
        client.DefaultRequestHeaders.Accept.Clear();
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        return client;
    }

    private Uri Link(string token) => new(host.BaseAddress, $"api/approvals/{token}");

    private static FormUrlEncodedContent Form(string decision, string? comment = null, string? name = null) =>
        new([new("decision", decision), new("comment", comment ?? string.Empty), .. name is null ? [] : new KeyValuePair<string, string>[] { new("name", name) }]);
}
