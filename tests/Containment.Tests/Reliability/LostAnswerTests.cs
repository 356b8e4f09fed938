using Xunit.Abstractions;
using Containment.Runs.Embedded;
using Containment.Tests.EndToEnd;

namespace Containment.Tests.Reliability;

/// <summary>
/// One whole run (alert, isolation, approval by its link, release), then the same run on a fresh pod once for each of
/// its storage writes, that write's answer lost after storage did the work: the SDK tries again and meets its own
/// write. Every run must end as the first did, with each change made and told once.
/// </summary>
public sealed class LostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : IClassFixture<AnswerLosingHostFixture>
{
    private const string Policies = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies";

    [Fact]
    public async Task EachWriteOfARun_AnswerLost_TheRunEndsAsWithout()
    {
        var expected = await SweepAsync(ApprovedRunAsync);

        Assert.Equal(RunEnd.Clean, expected);
    }

    [Fact]
    public async Task EachWriteOfAReleaseByHandWhileTheRunWaits_AnswerLost_TheReleaseEndsAsWithout()
    {
        var expected = await SweepAsync(ReleasedByHandAsync);

        Assert.Equal(TakeoverEnd.Clean, expected);
    }

    /// <summary>
    /// The scenario once to create the tables, once to count its writes, then once per write with that write's answer
    /// lost; each must end as the second did, which the caller checks. Every run goes on a fresh pod.
    /// </summary>
    private async Task<T> SweepAsync<T>(Func<FlowClient, Task<T>> scenario)
        where T : notnull
    {
        using var flow = new FlowClient(host);
        await scenario(flow);
        var before = host.Proxy.Writes;
        var expected = await scenario(flow);
        var writes = host.Proxy.Writes - before;
        var differences = new List<string>();
        for (var write = 1; write <= writes; write++)
        {
            host.Proxy.LoseWrite(write);
            var ended = await scenario(flow);
            var lost = host.Proxy.Lost;
            output.WriteLine($"write {write} of {writes}: {lost ?? "none lost"}{(ended.Equals(expected) ? string.Empty : " — ended differently")}");
            if (lost is null || !ended.Equals(expected))
            {
                differences.Add($"write {write} of {writes} ({lost ?? "none lost"}): {ended}");
            }
        }

        Assert.InRange(writes, 5, 40);
        Assert.True(differences.Count == 0, $"expected {expected}\n{string.Join('\n', differences)}");
        return expected;
    }

    /// <summary>Alert, isolation, approval by its link and release, for a fresh pod; how it ended.</summary>
    private async Task<RunEnd> ApprovedRunAsync(FlowClient flow)
    {
        var pod = host.TakePod();
        var before = (await flow.PodAsync(pod))!;
        var creates = host.KubeSim.Requests.CarriedOut("POST", Policies);

        var admitted = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));

        var instanceId = (string)admitted.Body["alerts"]![0]!["instanceId"]!;
        var decided = 0;
        if (FlowClient.Waiting(await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status))))
        {
            decided = await ApproveAsync(await flow.ApprovalLinkAsync(pod));
        }

        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        await host.Get<EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var after = (await flow.PodAsync(pod))!;
        var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        var eventId = (string)admitted.Body["alerts"]![0]!["eventId"]!;
        var securityEvent = await flow.GetAsync($"api/events/{Uri.EscapeDataString(eventId)}");
        return new RunEnd(
            $"{admitted.Status} {admitted.Body["alerts"]![0]!["outcome"]}",
            decided,
            (string?)done["outcome"]?["result"],
            Words(done["history"]!.AsArray().Select(step => $"{step!["stepId"]}:{step["outcome"]}")),
            before["metadata"]!["labels"]!.ToJsonString() == after["metadata"]!["labels"]!.ToJsonString()
                && before["metadata"]!["annotations"]!.ToJsonString() == after["metadata"]!["annotations"]!.ToJsonString(),
            (await flow.PolicyNamesAsync()).Count(name => name.EndsWith(pod, StringComparison.Ordinal)),
            host.KubeSim.Requests.CarriedOut("POST", Policies) - creates,
            (string?)isolation["isolation"]!["status"],
            Words(isolation["audit"]!.AsArray().Select(entry => (string?)entry!["action"])),
            (string?)securityEvent["event"]!["status"],
            Words(securityEvent["audit"]!.AsArray().Select(entry => (string?)entry!["action"])),
            Words(await RunRowsAsync(instanceId)));
    }

    /// <summary>
    /// Alert, isolation; a second alert for the pod joins the run waiting on its approval; then a release by hand takes
    /// the pod from that run and gives it back. For a fresh pod; how it ended.
    /// </summary>
    private async Task<TakeoverEnd> ReleasedByHandAsync(FlowClient flow)
    {
        var pod = host.TakePod();
        var before = (await flow.PodAsync(pod))!;
        var creates = host.KubeSim.Requests.CarriedOut("POST", Policies);
        var first = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)first.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status));
        var second = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var release = await SendAsync(flow, $"api/isolations/{Uri.EscapeDataString(instanceId)}/release", """{ "reason": "investigated" }""");
        var done = await flow.RunUntilAsync(instanceId, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");
        await host.Get<EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var after = (await flow.PodAsync(pod))!;
        var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        var firstEvent = await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)first.Body["alerts"]![0]!["eventId"]!)}");
        var secondEvent = await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)second.Body["alerts"]![0]!["eventId"]!)}");
        return new TakeoverEnd(
            $"{first.Status} {first.Body["alerts"]![0]!["outcome"]}",
            $"{second.Status} {second.Body["alerts"]![0]!["outcome"]}",
            release.Status,
            (string?)done["outcome"]?["result"],
            Words(done["history"]!.AsArray().Select(step => $"{step!["stepId"]}:{step["outcome"]}")),
            before["metadata"]!["labels"]!.ToJsonString() == after["metadata"]!["labels"]!.ToJsonString()
                && before["metadata"]!["annotations"]!.ToJsonString() == after["metadata"]!["annotations"]!.ToJsonString(),
            (await flow.PolicyNamesAsync()).Count(name => name.EndsWith(pod, StringComparison.Ordinal)),
            host.KubeSim.Requests.CarriedOut("POST", Policies) - creates,
            (string?)isolation["isolation"]!["status"],
            Words(isolation["audit"]!.AsArray().Select(entry => (string?)entry!["action"])),
            $"{firstEvent["event"]!["status"]}: {Words(firstEvent["audit"]!.AsArray().Select(entry => (string?)entry!["action"]))}",
            $"{secondEvent["event"]!["status"]}: {Words(secondEvent["audit"]!.AsArray().Select(entry => (string?)entry!["action"]))}",
            Words(await RunRowsAsync(instanceId)));
    }

    /// <summary>Sends, and sends again once when told 5xx, as Event Grid or a person would.</summary>
    private static async Task<(int Status, System.Text.Json.Nodes.JsonObject Body)> SendAsync(FlowClient flow, string route, string json)
    {
        var answer = await flow.PostAsync(route, json);
        return answer.Status >= 500 ? await flow.PostAsync(route, json) : answer;
    }

    private async Task<int> ApproveAsync(Uri link)
    {
        using var approver = host.CreateAnonymousClient();
        using var first = await approver.PostAsync(link, Approve());
        if ((int)first.StatusCode < 500)
        {
            return (int)first.StatusCode;
        }

        using var again = await approver.PostAsync(link, Approve());
        return (int)again.StatusCode;
    }

    private async Task<IEnumerable<string>> RunRowsAsync(string instanceId)
    {
        var runs = host.Tables.GetTableClient(host.TablePrefix + "Runs");
        var rows = new List<string>();
        await foreach (var row in runs.QueryAsync<Azure.Data.Tables.TableEntity>(row => row.PartitionKey == Containment.Ledger.TableKey.Encode(instanceId)))
        {
            rows.Add(row.RowKey.Split('~')[0]);
        }

        return rows;
    }

    private static string Words(IEnumerable<string?> words) => string.Join(' ', words);

    private static FormUrlEncodedContent Approve() => new([new("decision", "approve"), new("comment", "checked")]);

    /// <summary>How a release by hand that took the pod from a waiting run ended, as the senders, the cluster and the ledger see it.</summary>
    private sealed record TakeoverEnd(
        string First,
        string Second,
        int Release,
        string? Result,
        string History,
        bool PodAsBefore,
        int PoliciesLeft,
        int PolicyCreates,
        string? Isolation,
        string IsolationAudit,
        string FirstEvent,
        string SecondEvent,
        string RunRows)
    {
        public static readonly TakeoverEnd Clean = new(
            "202 started",
            "202 joined",
            202,
            "succeeded",
            "release:succeeded tell-released:succeeded",
            PodAsBefore: true,
            PoliciesLeft: 0,
            PolicyCreates: 1,
            "released",
            "isolated approval-requested release-started released",
            "processed: event-status-changed",

            // A joined alert stays unprocessed (see the README's events route).
            "unprocessed: ",
            "state");
    }

    /// <summary>How a run ended, as the sender, the approver, the cluster and the ledger see it.</summary>
    private sealed record RunEnd(
        string Admitted,
        int Decided,
        string? Result,
        string History,
        bool PodAsBefore,
        int PoliciesLeft,
        int PolicyCreates,
        string? Isolation,
        string IsolationAudit,
        string? EventStatus,
        string EventAudit,
        string RunRows)
    {
        /// <summary>A run of the shipped playbook that ended well, each change made and told once.</summary>
        public static readonly RunEnd Clean = new(
            "202 started",
            200,
            "succeeded",
            "isolate:succeeded cordon-node:skipped tell-soc:succeeded approve-release:approved release:succeeded tell-released:succeeded",
            PodAsBefore: true,
            PoliciesLeft: 0,
            PolicyCreates: 1,
            "released",
            "isolated approval-requested approved released",
            "processed",
            "event-status-changed",
            "state");
    }
}
