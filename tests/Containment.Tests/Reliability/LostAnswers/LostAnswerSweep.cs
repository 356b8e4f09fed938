using System.Text.Json.Nodes;
using Containment.Runs.Embedded;
using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>
/// Runs a whole scenario, then the same scenario on a fresh pod once for each of its storage writes, that write's
/// answer lost after storage did the work (<see cref="Support.AnswerLosingProxy"/>): the SDK tries again and meets its
/// own write. Each must end as the scenario without a loss did, every change made and told once. One class per
/// scenario, each with a host of its own, so the sweeps run side by side.
/// </summary>
public abstract class LostAnswerSweep(AnswerLosingHostFixture host, ITestOutputHelper output)
{
    private const string Policies = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies";

    private protected AnswerLosingHostFixture Host => host;

    /// <summary>
    /// The scenario once to create the tables, once to count its writes, then once per write with that write's answer
    /// lost; each must end as the second did, which the caller checks. Every run goes on a fresh pod.
    /// </summary>
    private protected Task<T> SweepAsync<T>(Func<FlowClient, Task<T>> scenario)
        where T : notnull =>
        SweepFromMarkAsync<T>((flow, _) => scenario(flow));

    /// <summary>
    /// As <see cref="SweepAsync{T}"/>, losing only the writes made after the scenario calls its mark: those before
    /// are another sweep's.
    /// </summary>
    private protected async Task<T> SweepFromMarkAsync<T>(Func<FlowClient, Action, Task<T>> scenario)
        where T : notnull
    {
        using var flow = new FlowClient(host);
        await scenario(flow, () => { });
        var before = host.Proxy.Writes;
        var marked = before;
        var expected = await scenario(flow, () => marked = host.Proxy.Writes);
        var writes = host.Proxy.Writes - before;
        var differences = new List<string>();
        for (var write = marked - before + 1; write <= writes; write++)
        {
            var start = host.Proxy.Writes;
            host.Proxy.LoseWrite(write);
            var ended = await scenario(flow, () => { });
            var lost = host.Proxy.Lost;
            output.WriteLine($"write {write} of {writes}: {lost ?? "none lost"}{(ended.Equals(expected) ? string.Empty : " — ended differently")}");

            // A run loses nothing only when it made fewer writes than this number: concurrent deliveries vary by one
            // (one may be answered from memory). Reaching the number without a loss is the proxy failing.
            if ((lost is null && host.Proxy.Writes - start >= write) || !ended.Equals(expected))
            {
                differences.Add($"write {write} of {writes} ({lost ?? "none lost"}): {ended}");
            }
        }

        Assert.InRange(writes - (marked - before), 1, 40);
        Assert.True(differences.Count == 0, $"expected {expected}\n{string.Join('\n', differences)}");
        return expected;
    }

    private protected async Task<(string Pod, JsonObject Before, int Creates)> FreshPodAsync(FlowClient flow)
    {
        var pod = host.TakePod();
        return (pod, (await flow.PodAsync(pod))!, host.KubeSim.Requests.CarriedOut("POST", Policies));
    }

    /// <summary>Once the host is idle: the run, the pod and its policies, and the pod's isolation record (if any) and audit trail.</summary>
    private protected async Task<PodEnd> PodEndAsync(FlowClient flow, JsonObject done, string pod, JsonObject before, int creates)
    {
        await host.Get<EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var instanceId = (string)done["instanceId"]!;
        var after = (await flow.PodAsync(pod))!;
        using var read = await flow.Http.GetAsync(new Uri($"api/isolations/{Uri.EscapeDataString(instanceId)}", UriKind.Relative));
        var isolation = read.StatusCode == System.Net.HttpStatusCode.NotFound ? null : JsonNode.Parse(await read.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        return new PodEnd(
            (string?)done["outcome"]?["result"],
            Words(done["history"]!.AsArray().Select(step => $"{step!["stepId"]}:{step["outcome"]}")),
            before["metadata"]!["labels"]!.ToJsonString() == after["metadata"]!["labels"]!.ToJsonString()
                && before["metadata"]!["annotations"]!.ToJsonString() == after["metadata"]!["annotations"]!.ToJsonString(),
            (await flow.PolicyNamesAsync()).Count(name => name.EndsWith(pod, StringComparison.Ordinal)),
            host.KubeSim.Requests.CarriedOut("POST", Policies) - creates,
            (string?)isolation?["isolation"]!["status"],
            Words(isolation?["audit"]!.AsArray().Select(entry => (string?)entry!["action"]) ?? []),
            Words(await RunRowsAsync(instanceId)));
    }

    /// <summary>The security event an alert's answer names: its status and its audit trail.</summary>
    private protected static async Task<string> EventEndAsync(FlowClient flow, (int Status, JsonObject Body) admitted)
    {
        var found = await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)admitted.Body["alerts"]![0]!["eventId"]!)}");
        return $"{found["event"]!["status"]}: {Words(found["audit"]!.AsArray().Select(entry => (string?)entry!["action"]))}";
    }

    private protected static string Admission((int Status, JsonObject Body) admitted) => $"{admitted.Status} {admitted.Body["alerts"]![0]!["outcome"]}";

    /// <summary>Sends, and sends again once when told 5xx, as Event Grid or a person would.</summary>
    private protected static async Task<(int Status, JsonObject Body)> SendAsync(FlowClient flow, string route, string json)
    {
        var answer = await flow.PostAsync(route, json);
        return answer.Status >= 500 ? await flow.PostAsync(route, json) : answer;
    }

    /// <summary>Posts the decision on the link, and again once when told 5xx, as a person would; the last answer's status.</summary>
    private protected async Task<int> DecideAsync(Uri link, string decision)
    {
        using var approver = host.CreateAnonymousClient();
        using var first = await approver.PostAsync(link, Form(decision));
        if ((int)first.StatusCode < 500)
        {
            return (int)first.StatusCode;
        }

        using var again = await approver.PostAsync(link, Form(decision));
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

    private static FormUrlEncodedContent Form(string decision) => new([new("decision", decision), new("comment", "checked")]);

    /// <summary>How a run ended on the cluster and in the ledger.</summary>
    /// <summary>A pod given back by a release by hand that went well, with its isolation record's audit trail.</summary>
    private protected static PodEnd ReleasedByHand(string isolationAudit) => new(
        "succeeded",
        "release:succeeded uncordon-node:succeeded tell-released:succeeded",
        PodAsBefore: true,
        PoliciesLeft: 0,
        PolicyCreates: 1,
        "released",
        isolationAudit,
        "state");

    private protected sealed record PodEnd(
        string? Result,
        string History,
        bool PodAsBefore,
        int PoliciesLeft,
        int PolicyCreates,
        string? Isolation,
        string IsolationAudit,
        string RunRows);
}
