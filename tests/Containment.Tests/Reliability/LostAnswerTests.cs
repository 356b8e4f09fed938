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
        using var flow = new FlowClient(host);

        // The first run also creates the tables; the second counts a run's own writes.
        await RunAsync(flow, loseWrite: null);
        var (expected, writes) = await RunAsync(flow, loseWrite: null);
        var differences = new List<string>();
        for (var write = 1; write <= writes; write++)
        {
            var (ended, _) = await RunAsync(flow, write);
            var lost = host.Proxy.Lost;
            output.WriteLine($"write {write} of {writes}: {lost ?? "none lost"}{(ended == expected ? string.Empty : " — ended differently")}");
            if (lost is null || ended != expected)
            {
                differences.Add($"write {write} of {writes} ({lost ?? "none lost"}): {ended}");
            }
        }

        Assert.Equal(RunEnd.Clean, expected with { Pod = RunEnd.Clean.Pod });
        Assert.InRange(writes, 10, 30);
        Assert.True(differences.Count == 0, $"expected {expected}\n{string.Join('\n', differences)}");
    }

    /// <summary>Alert, approval and release for a fresh pod, the answer to its <paramref name="loseWrite"/>th storage write lost; how it ended, and how many writes it made.</summary>
    private async Task<(RunEnd Ended, int Writes)> RunAsync(FlowClient flow, int? loseWrite)
    {
        var pod = host.TakePod();
        var before = (await flow.PodAsync(pod))!;
        var creates = host.KubeSim.Requests.CarriedOut("POST", Policies);
        var writesBefore = host.Proxy.Writes;
        if (loseWrite is { } write)
        {
            host.Proxy.LoseWrite(write);
        }

        // A sender and an approver told 5xx try again, as Event Grid and a person do.
        var admitted = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        if (admitted.Status >= 500)
        {
            admitted = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        }

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
        var ended = new RunEnd(
            admitted.Status,
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
            Words(await RunRowsAsync(instanceId)),
            pod);
        return (ended with { Pod = string.Empty }, host.Proxy.Writes - writesBefore);
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

    /// <summary>How a run ended, as the sender, the approver, the cluster and the ledger see it.</summary>
    private sealed record RunEnd(
        int Admitted,
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
        string RunRows,
        string Pod)
    {
        /// <summary>A run of the shipped playbook that ended well, each change made and told once.</summary>
        public static readonly RunEnd Clean = new(
            202,
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
            "state",
            string.Empty);
    }
}
