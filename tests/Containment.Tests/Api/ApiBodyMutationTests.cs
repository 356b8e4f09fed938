using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Api;
using Containment.Tests.EndToEnd;
using Containment.Tests.Reliability;
using Containment.Tests.Support;
using Xunit.Abstractions;

namespace Containment.Tests.Api;

/// <summary>
/// Every JSON body the API reads (isolate, release, an event's status) with one value changed at a time
/// (<see cref="JsonMutations"/>), posted over HTTP: each is taken, or refused with a 4xx whose details point into the
/// body; none is a 500; and a refused body stores nothing.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class ApiBodyMutationTests(ReliabilityHostFixture host, ITestOutputHelper output)
{
    /// <summary>The hostile values, and a text far longer than a person's reason that still leaves the body inside its limit (1 MiB).</summary>
    private static readonly IReadOnlyList<string> Replacements = [.. JsonMutations.Hostile, JsonSerializer.Serialize(new string('A', 1_000_000))];

    [Fact]
    public async Task EveryOneValueChange_TakenOrRefusedWithA4xxPointingIntoTheBody_RefusedStoreNothing()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var (eventId, eventRun) = await AlertAsync(flow);
        var bodies = new (string Route, JsonNode Body)[]
        {
            ("api/isolations", new JsonObject { ["cluster"] = "aks-prod", ["namespace"] = "shop", ["pod"] = pod, ["reason"] = "shell seen" }),
            ($"api/events/{Uri.EscapeDataString(eventId)}/status", new JsonObject { ["status"] = "processed", ["reason"] = "checked by hand" }),
            ($"api/isolations/aks-prod~shop~{pod}/release", new JsonObject { ["reason"] = "false alarm" }),
        };

        var findings = new List<string>();
        var refused = new List<(string Route, string Body)>();
        var variants = 0;
        foreach (var (route, body) in bodies)
        {
            foreach (var (pointer, change, variant) in JsonMutations.Of(body, Replacements))
            {
                variants++;
                var json = variant.ToJsonString();
                var (status, answer) = await PostAsync(flow, route, json);
                var where = $"{route} {pointer} {TextCut.WithEllipsis(change, 200)}";
                if (status >= 500)
                {
                    findings.Add($"{where}: {status} {TextCut.WithEllipsis(answer, 200)}");
                }
                else if (status >= 400)
                {
                    refused.Add((route, json));
                    findings.AddRange(Unplaced(variant, status, answer).Select(finding => $"{where}: {finding}"));
                }
            }
        }

        // A refusal depends on the body alone, so the refused bodies sent again, all together, must store nothing. The runs
        // the taken bodies started finish first, so that only the refused could write meanwhile.
        await flow.RunUntilAsync($"aks-prod~shop~{pod}", FlowClient.Finished);
        await flow.RunUntilAsync(eventRun, FlowClient.Finished);
        var before = await HostRows.CountAsync(host);
        foreach (var (route, json) in refused)
        {
            var (status, answer) = await PostAsync(flow, route, json);
            Assert.True(status is >= 400 and < 500, $"{route} {TextCut.WithEllipsis(json, 200)}: refused once, then {status} {TextCut.WithEllipsis(answer, 200)}");
        }

        var after = await HostRows.CountAsync(host);
        output.WriteLine($"{variants} variants, {refused.Count} refused");
        findings.Take(40).ToList().ForEach(output.WriteLine);
        Assert.Empty(findings);
        Assert.Equal(HostRows.Stored(before), HostRows.Stored(after));
        Assert.True(refused.Count > variants / 2, $"only {refused.Count} of {variants} refused: the bodies were not read");
    }

    [Theory]
    [MemberData(nameof(ReasonRoutes))]
    public async Task Reason_AsLongAsAllowed_Taken_OneLonger_RefusedAtReason(string route, string template)
    {
        using var flow = new FlowClient(host);
        var (path, body) = await ReasonRouteAsync(flow, route, template);

        var (tooLong, refusal) = await PostAsync(flow, path, body(new string('r', ReasonText.MaxLength + 1)));
        var (taken, _) = await PostAsync(flow, path, body(new string('r', ReasonText.MaxLength)));

        Assert.Contains($"at most {ReasonText.MaxLength}", RefusedAtReason(tooLong, refusal), StringComparison.Ordinal);
        Assert.Equal(route.EndsWith("/status", StringComparison.Ordinal) ? 200 : 202, taken);
    }

    /// <summary>A reason is shown in terminals, and a terminal acts on an escape sequence; line breaks are a reason's own.</summary>
    [Theory]
    [MemberData(nameof(ReasonRoutes))]
    public async Task Reason_WithAnEscapeSequence_RefusedAtReason_WithLineBreaks_Taken(string route, string template)
    {
        using var flow = new FlowClient(host);
        var (path, body) = await ReasonRouteAsync(flow, route, template);

        var (escaped, refusal) = await PostAsync(flow, path, body(@"seen\u001b[2J\u001b]0;all clear\u0007"));
        var (taken, _) = await PostAsync(flow, path, body(@"seen a shell,\r\nchecked by hand\tok"));

        Assert.Equal("the reason holds a control character (U+001B at 4)", RefusedAtReason(escaped, refusal));
        Assert.Equal(route.EndsWith("/status", StringComparison.Ordinal) ? 200 : 202, taken);
    }

    public static TheoryData<string, string> ReasonRoutes => new()
    {
        { "api/isolations", """{"cluster":"aks-prod","namespace":"shop","pod":"POD","reason":"TEXT"}""" },
        { "api/isolations/aks-prod~shop~POD/release", """{"reason":"TEXT"}""" },
        { "api/events/EVENT/status", """{"status":"processed","reason":"TEXT"}""" },
    };

    /// <summary>The route for a fresh pod (isolated first, for a release; a bystander's event, for a status), and its body with a reason in JSON.</summary>
    private async Task<(string Path, Func<string, string> Body)> ReasonRouteAsync(FlowClient flow, string route, string template)
    {
        var pod = host.TakePod();
        route = route.Replace("POD", pod, StringComparison.Ordinal);
        if (route.Contains("EVENT", StringComparison.Ordinal))
        {
            route = route.Replace("EVENT", Uri.EscapeDataString((await AlertAsync(flow)).EventId), StringComparison.Ordinal);
        }

        if (route.EndsWith("/release", StringComparison.Ordinal))
        {
            var (isolated, _) = await PostAsync(flow, "api/isolations", $$"""{"cluster":"aks-prod","namespace":"shop","pod":"{{pod}}","reason":"to release"}""");
            Assert.Equal(202, isolated);
            await flow.RunUntilAsync($"aks-prod~shop~{pod}", FlowClient.Finished);
        }

        return (route, reason => template.Replace("POD", pod, StringComparison.Ordinal).Replace("TEXT", reason, StringComparison.Ordinal));
    }

    /// <summary>The message of a 400 whose one detail points at <c>/reason</c>.</summary>
    private static string? RefusedAtReason(int status, string answer)
    {
        Assert.Equal(400, status);
        var detail = JsonNode.Parse(answer)!["details"]!.AsArray().Single()!;
        Assert.Equal("/reason", (string?)detail["pointer"]);
        return (string?)detail["message"];
    }

    /// <summary>A bystander's alert: its security event and the run it started.</summary>
    private static async Task<(string EventId, string RunId)> AlertAsync(FlowClient flow)
    {
        var (status, body) = await flow.PostAsync("api/alerts", $$"""
            { "id": "{{Guid.NewGuid()}}", "source": "edr", "category": "other", "severity": "low", "time": "2026-11-23T03:00:00Z",
              "target": { "cluster": "aks-prod", "namespace": "shop", "pod": "bystander-{{Guid.NewGuid().ToString("N")[..8]}}" } }
            """);
        Assert.Equal(202, status);
        return ((string)body["alerts"]![0]!["eventId"]!, (string)body["alerts"]![0]!["instanceId"]!);
    }

    private static async Task<(int Status, string Answer)> PostAsync(FlowClient flow, string route, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await flow.Http.PostAsync(new Uri(route, UriKind.Relative), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>What is wrong with a refusal: an error that says nothing, or a detail at a place that is not in the body.</summary>
    private static IEnumerable<string> Unplaced(JsonNode body, int status, string answer)
    {
        var error = JsonNode.Parse(answer)!.AsObject();
        if (string.IsNullOrWhiteSpace((string?)error["error"]))
        {
            yield return $"{status} without an error: {TextCut.WithEllipsis(answer, 200)}";
        }

        if (status != 400)
        {
            yield break; // refused for what the route names (404, 409), not for the body: nothing in it to point at
        }

        var details = error["details"]?.AsArray() ?? [];
        if (details.Count == 0)
        {
            yield return $"{status} says where nothing is wrong: {TextCut.WithEllipsis(answer, 200)}";
        }

        foreach (var detail in details)
        {
            var pointer = (string?)detail!["pointer"] ?? string.Empty;
            if (string.IsNullOrWhiteSpace((string?)detail["message"]) || !JsonMutations.Resolves(body, pointer))
            {
                yield return $"'{detail["message"]}' at '{pointer}', which is not in the body";
            }
        }
    }
}
