using System.Text.Json.Nodes;
using Containment.Runs.Embedded;
using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability;

/// <summary>
/// A whole scenario (a run approved by its link; a release by hand taking the pod from a waiting, joined run), then the
/// same scenario on a fresh pod once for each of its storage writes, that write's answer lost after storage did the
/// work: the SDK tries again and meets its own write. Each must end as the scenario without a loss did, every change
/// made and told once. The host's storage is behind an <see cref="Support.AnswerLosingProxy"/>.
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
        var (pod, before, creates) = await FreshPodAsync(flow);
        var admitted = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)admitted.Body["alerts"]![0]!["instanceId"]!;
        var decided = 0;
        if (FlowClient.Waiting(await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status))))
        {
            decided = await ApproveAsync(await flow.ApprovalLinkAsync(pod));
        }

        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        return new RunEnd(Admission(admitted), decided, await PodEndAsync(flow, done, pod, before, creates), await EventEndAsync(flow, admitted));
    }

    /// <summary>
    /// Alert, isolation; a second alert for the pod joins the run waiting on its approval; then a release by hand takes
    /// the pod from that run and gives it back. For a fresh pod; how it ended.
    /// </summary>
    private async Task<TakeoverEnd> ReleasedByHandAsync(FlowClient flow)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var first = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)first.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status));
        var second = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var release = await SendAsync(flow, $"api/isolations/{Uri.EscapeDataString(instanceId)}/release", """{ "reason": "investigated" }""");
        var done = await flow.RunUntilAsync(instanceId, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");
        return new TakeoverEnd(
            Admission(first),
            Admission(second),
            release.Status,
            await PodEndAsync(flow, done, pod, before, creates),
            await EventEndAsync(flow, first),
            await EventEndAsync(flow, second));
    }

    private async Task<(string Pod, JsonObject Before, int Creates)> FreshPodAsync(FlowClient flow)
    {
        var pod = host.TakePod();
        return (pod, (await flow.PodAsync(pod))!, host.KubeSim.Requests.CarriedOut("POST", Policies));
    }

    /// <summary>Once the host is idle: the run, the pod and its policies, and the pod's isolation record and audit trail.</summary>
    private async Task<PodEnd> PodEndAsync(FlowClient flow, JsonObject done, string pod, JsonObject before, int creates)
    {
        await host.Get<EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var instanceId = (string)done["instanceId"]!;
        var after = (await flow.PodAsync(pod))!;
        var isolation = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        return new PodEnd(
            (string?)done["outcome"]?["result"],
            Words(done["history"]!.AsArray().Select(step => $"{step!["stepId"]}:{step["outcome"]}")),
            before["metadata"]!["labels"]!.ToJsonString() == after["metadata"]!["labels"]!.ToJsonString()
                && before["metadata"]!["annotations"]!.ToJsonString() == after["metadata"]!["annotations"]!.ToJsonString(),
            (await flow.PolicyNamesAsync()).Count(name => name.EndsWith(pod, StringComparison.Ordinal)),
            host.KubeSim.Requests.CarriedOut("POST", Policies) - creates,
            (string?)isolation["isolation"]!["status"],
            Words(isolation["audit"]!.AsArray().Select(entry => (string?)entry!["action"])),
            Words(await RunRowsAsync(instanceId)));
    }

    /// <summary>The security event an alert's answer names: its status and its audit trail.</summary>
    private static async Task<string> EventEndAsync(FlowClient flow, (int Status, JsonObject Body) admitted)
    {
        var found = await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)admitted.Body["alerts"]![0]!["eventId"]!)}");
        return $"{found["event"]!["status"]}: {Words(found["audit"]!.AsArray().Select(entry => (string?)entry!["action"]))}";
    }

    private static string Admission((int Status, JsonObject Body) admitted) => $"{admitted.Status} {admitted.Body["alerts"]![0]!["outcome"]}";

    /// <summary>Sends, and sends again once when told 5xx, as Event Grid or a person would.</summary>
    private static async Task<(int Status, JsonObject Body)> SendAsync(FlowClient flow, string route, string json)
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

    /// <summary>How a run ended on the cluster and in the ledger.</summary>
    private sealed record PodEnd(
        string? Result,
        string History,
        bool PodAsBefore,
        int PoliciesLeft,
        int PolicyCreates,
        string? Isolation,
        string IsolationAudit,
        string RunRows);

    /// <summary>How an approved run ended, as the sender and the approver saw it, then on the cluster and in the ledger.</summary>
    private sealed record RunEnd(string Admitted, int Decided, PodEnd Pod, string Event)
    {
        /// <summary>A run of the shipped playbook that ended well, each change made and told once.</summary>
        public static readonly RunEnd Clean = new(
            "202 started",
            200,
            new PodEnd(
                "succeeded",
                "isolate:succeeded cordon-node:skipped tell-soc:succeeded approve-release:approved release:succeeded tell-released:succeeded",
                PodAsBefore: true,
                PoliciesLeft: 0,
                PolicyCreates: 1,
                "released",
                "isolated approval-requested approved released",
                "state"),
            "processed: event-status-changed");
    }

    /// <summary>How a release by hand that took the pod from a waiting, joined run ended.</summary>
    private sealed record TakeoverEnd(string First, string Second, int Release, PodEnd Pod, string FirstEvent, string SecondEvent)
    {
        public static readonly TakeoverEnd Clean = new(
            "202 started",
            "202 joined",
            202,
            new PodEnd(
                "succeeded",
                "release:succeeded tell-released:succeeded",
                PodAsBefore: true,
                PoliciesLeft: 0,
                PolicyCreates: 1,
                "released",
                "isolated approval-requested release-started released",
                "state"),
            "processed: event-status-changed",

            // A joined alert stays unprocessed (see the README's events route).
            "unprocessed: ");
    }
}
