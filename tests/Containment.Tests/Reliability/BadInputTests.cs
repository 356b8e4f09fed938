using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Tests.Support;
using Containment.Tests.EndToEnd;

namespace Containment.Tests.Reliability;

/// <summary>
/// Every file of <c>BadInput/</c> posted to its route: the exact 4xx, an error that says what and where, nothing
/// stored but the poison record, and a host that goes on serving.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class BadInputTests(ReliabilityHostFixture host)
{
    public static TheoryData<string> Cases() => [.. BadInputCase.All.Select(c => c.Name)];

    [Fact]
    public void Corpus_EveryFileUsedEveryNameUniqueEveryCaseSaysSomething()
    {
        var files = Directory.GetFiles(BadInputCase.PathOf(string.Empty)).Select(Path.GetFileName).Where(name => name != "cases.json");
        var used = BadInputCase.All.Select(c => c.File ?? c.Generate?.Template).OfType<string>().ToHashSet(StringComparer.Ordinal);

        Assert.All(files, file => Assert.Contains(file!, used));
        Assert.Equal(BadInputCase.All.Count, BadInputCase.All.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(BadInputCase.All, c => Assert.False(string.IsNullOrWhiteSpace(c.Says), $"{c.Name} expects no text"));
        Assert.All(BadInputCase.All, c => Assert.InRange(c.Status, 400, 499));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_Exact4xxSaysWhatAndWhere_StoresOnlyPoison_HostKeepsServing(string name)
    {
        var input = BadInputCase.All.Single(c => c.Name == name);
        using var flow = new FlowClient(host);
        var route = input.Token is { } kind ? input.Route.Replace("{token}", await TokenAsync(kind), StringComparison.Ordinal) : input.Route;
        var rowsBefore = await HostRows.CountAsync(host);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(route, UriKind.Relative)) { Content = new ByteArrayContent(input.Body()) };
        var contentType = input.ContentType ?? (input.Form is null ? "application/json" : "application/x-www-form-urlencoded");
        if (contentType.Length > 0)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var (header, value) in input.Headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await flow.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var rowsAfter = await HostRows.CountAsync(host);

        Assert.True(input.Status == (int)response.StatusCode, $"{name}: expected {input.Status}, got {(int)response.StatusCode}: {TextCut.WithEllipsis(text, 600)}");
        if (input.Token is not null)
        {
            Assert.Contains(input.Says, text, StringComparison.Ordinal);
        }
        else
        {
            AssertSaysWhatAndWhere(input, JsonNode.Parse(text)!.AsObject());
        }

        var expected = new Dictionary<string, int>(rowsBefore);
        if (input.Poison)
        {
            expected[host.TablePrefix + "Poison"] = expected.GetValueOrDefault(host.TablePrefix + "Poison") + 1;
        }

        Assert.Equal(HostRows.Stored(expected), HostRows.Stored(rowsAfter));
        await AssertStillServingAsync(flow);
    }

    private static void AssertSaysWhatAndWhere(BadInputCase input, JsonObject body)
    {
        var error = (string?)body["error"];
        Assert.False(string.IsNullOrWhiteSpace(error), body.ToJsonString());
        var details = body["details"]?.AsArray() ?? [];
        if (input.Pointer is null)
        {
            Assert.Contains(input.Says, error, StringComparison.Ordinal);
            return;
        }

        var at = details.Where(detail => (string?)detail!["pointer"] == input.Pointer).Select(detail => (string)detail!["message"]!).ToList();
        Assert.True(at.Count > 0, $"{input.Name}: no detail at {input.Pointer}: {TextCut.WithEllipsis(body.ToJsonString(), 600)}");
        Assert.True(at.Any(message => message.Contains(input.Says, StringComparison.Ordinal)) || error!.Contains(input.Says, StringComparison.Ordinal),
            $"{input.Name}: '{input.Says}' is not said at {input.Pointer}: {TextCut.WithEllipsis(body.ToJsonString(), 600)}");
    }

    /// <summary>A good alert right after is taken and its run ends.</summary>
    private static async Task AssertStillServingAsync(FlowClient flow)
    {
        var pod = "bystander-" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await flow.PostAsync("api/alerts", $$"""
            { "id": "{{Guid.NewGuid()}}", "source": "edr", "category": "other", "severity": "low", "time": "2026-11-23T03:00:00Z",
              "target": { "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}" } }
            """);

        Assert.Equal(202, status);
        Assert.Equal("started", (string?)body["alerts"]![0]!["outcome"]);
        var done = await flow.RunUntilAsync((string)body["alerts"]![0]!["instanceId"]!, FlowClient.Finished);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
    }

    private async Task<string> TokenAsync(ApprovalTokenKind kind)
    {
        var tokens = host.Get<ApprovalTokens>();
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        switch (kind)
        {
            case ApprovalTokenKind.Huge:
                return new string('A', 5000) + "." + new string('B', 43);
            case ApprovalTokenKind.NonBase64:
                return "not!base64~at*all.(neither)this";
            case ApprovalTokenKind.WrongRun:
                // Signed with the host's key, for a run and step that asked nothing.
                return tokens.Issue("aks-prod~shop~someone-else", "approve-release", 1, expires, "edr|asked");
            case ApprovalTokenKind.Expired:
                return tokens.Issue("aks-prod~shop~someone-else", "approve-release", 1, DateTimeOffset.UtcNow.AddMinutes(-5), "edr|asked");
            default:
                break;
        }

        var (token, record) = await StoreRequestAsync(tokens, expires);
        switch (kind)
        {
            case ApprovalTokenKind.Truncated:
                return token[..^6];
            case ApprovalTokenKind.ForgedSignature:
                var dot = token.IndexOf('.', StringComparison.Ordinal);
                return token[..(dot + 1)] + new string(token[(dot + 1)..].Reverse().ToArray());
            case ApprovalTokenKind.Replayed:
                var stored = (await host.Get<ApprovalStore>().GetAsync(record.InstanceId, record.TokenHash, CancellationToken.None))!.Value;
                await host.Get<ApprovalStore>().DecideAsync(stored.Record, stored.ETag, new ApprovalDecision(ApprovalVerdict.Approved, "ana@contoso.com", DateTimeOffset.UtcNow, "first use"), TestAudit.Entry(record.InstanceId, AuditAction.Approved), CancellationToken.None);
                return token;
            default:
                return token;
        }
    }

    private async Task<(string Token, ApprovalRecord Record)> StoreRequestAsync(ApprovalTokens tokens, DateTimeOffset expires)
    {
        var instanceId = "aks-prod~shop~asked-" + Guid.NewGuid().ToString("N")[..6];
        var token = tokens.Issue(instanceId, "approve-release", 1, expires, "edr|asked");
        var record = new ApprovalRecord
        {
            TokenHash = ApprovalTokens.Hash(token),
            InstanceId = instanceId,
            StepId = "approve-release",
            EventName = "approval-approve-release-1",
            ExpiresAt = expires,
            Message = "Release the pod?",
            Approvers = [],
            Alert = new Alert { Id = "asked", Source = "edr", Category = AlertCategory.ReverseShell, Severity = Severity.High, Time = DateTimeOffset.UtcNow, Target = new AlertTarget { Cluster = "aks-prod", Namespace = "shop", Pod = "asked" } },
        };
        await host.Get<ApprovalStore>().AddAsync(record, TestAudit.Entry(instanceId, AuditAction.ApprovalRequested), CancellationToken.None);
        return (token, record);
    }
}
