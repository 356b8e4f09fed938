using System.Text.Json.Nodes;
using Containment.Runs.Embedded;
using Containment.Tests.EndToEnd;
using Containment.Tests.Reliability.LostAnswers;

namespace Containment.Tests.Reliability;

/// <summary>
/// An alert whose run is stored while storage refuses its security event: the sender is told to deliver again, the
/// run goes on and stores the event itself in its first step, whatever that step does, and the redelivery joins the
/// run and adds the payload as posted.
/// </summary>
public sealed class RefusedEventInsertTests(AnswerLosingHostFixture host) : IClassFixture<AnswerLosingHostFixture>
{
    /// <summary>The event's insert and the storage SDK's three tries again.</summary>
    private const int EveryTry = 4;

    [Fact]
    public async Task EventInsertRefused_AfterTheRunStarted_TheRunStoresTheEventProcessed_TheRedeliveryJoinsAndAddsThePayload()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var alert = FlowClient.Payload("defender-arm-reverse-shell.json", pod);

        var refused = await DeliverWhileEventInsertsAreRefusedAsync(flow, alert);
        await WhenIdleAsync();
        var storedByRun = await EventOfPodAsync(flow, pod);
        var redelivered = await flow.PostAsync("api/alerts", alert);
        var afterRedelivery = await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)storedByRun["event"]!["id"]!)}");

        refused.AssertEveryTryRefused(EveryTry);
        Assert.Equal("processed", (string?)storedByRun["event"]!["status"]);
        Assert.Null(storedByRun["event"]!["alert"]!["raw"]);
        Assert.Equal(["event-stored-by-run", "event-status-changed"], Actions(storedByRun));
        Assert.Equal(202, redelivered.Status);
        Assert.Equal("joined", (string?)redelivered.Body["alerts"]![0]!["outcome"]);
        Assert.Equal("processed", (string?)afterRedelivery["event"]!["status"]);
        Assert.NotNull(afterRedelivery["event"]!["alert"]!["raw"]);
        Assert.Equal(Actions(storedByRun), Actions(afterRedelivery));
        Assert.Equal("isolated", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString((string)redelivered.Body["alerts"]![0]!["instanceId"]!)}"))["isolation"]!["status"]);
    }

    [Fact]
    public async Task EventInsertRefused_NotifyOnlyRun_TheRunsMessageStoresTheEvent()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var alert = FlowClient.Payload("native-single.json", pod, ("\"malware\"", "\"other\""), ("manual-2026-11-22-001", $"other-{pod}"));

        var refused = await DeliverWhileEventInsertsAreRefusedAsync(flow, alert);
        await WhenIdleAsync();
        var storedByRun = await EventOfPodAsync(flow, pod);

        refused.AssertEveryTryRefused(EveryTry);
        Assert.Equal("notify-only", (string?)storedByRun["event"]!["playbook"]);
        Assert.Equal("unprocessed", (string?)storedByRun["event"]!["status"]);
        Assert.Equal(["event-stored-by-run"], Actions(storedByRun));
    }

    /// <summary>
    /// Posts the alert while every try of an event's insert is refused, once no run of this host is being driven, and
    /// stops refusing once it is answered: a try that failed on its way (a connection lost on a busy machine) leaves a
    /// refusal unspent, which a later write of the event must not meet.
    /// </summary>
    private async Task<RefusedDelivery> DeliverWhileEventInsertsAreRefusedAsync(FlowClient flow, string alert)
    {
        await WhenIdleAsync();
        var tried = TriedEventInserts();
        var logged = host.Proxy.WriteLog.Count;
        host.Proxy.RefuseWrites("Events", EveryTry);
        var answer = await flow.PostAsync("api/alerts", alert);
        host.Proxy.RefuseWrites("Events", 0);
        return new RefusedDelivery(answer.Status, answer.Body.ToJsonString(), TriedEventInserts() - tried, [.. host.Proxy.WriteLog.Skip(logged)]);
    }

    /// <summary>The event inserts the host's storage client has tried, each try counted (the SDK's own retries included).</summary>
    private long TriedEventInserts() =>
        host.Get<StorageOperationCounter>().ByTable.Where(sent => sent.Key.StartsWith("POST ", StringComparison.Ordinal) && sent.Key.EndsWith("Events", StringComparison.Ordinal)).Sum(sent => sent.Value);

    /// <param name="Tries">The event inserts the host tried while the delivery was being answered.</param>
    /// <param name="Writes">The writes storage's proxy received meanwhile, with their answers.</param>
    private sealed record RefusedDelivery(int Status, string Body, long Tries, IReadOnlyList<string> Writes)
    {
        /// <summary>Told to deliver again after the SDK tried the insert <paramref name="everyTry"/> times, and no try got through.</summary>
        public void AssertEveryTryRefused(int everyTry)
        {
            var seen = $"answer {Status} {Body}; event inserts tried {Tries}; writes {string.Join(", ", Writes)}";
            Assert.True(Status == 503, seen);
            Assert.True(Tries == everyTry, seen);
            Assert.True(Writes.Any(write => write.EndsWith("Events refused", StringComparison.Ordinal)), seen);
            Assert.DoesNotContain(Writes, write => write.Contains("Events ", StringComparison.Ordinal) && !write.EndsWith("refused", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Once no run of this host is being driven: the refusals then meet the delivery they are armed for, not a write
    /// that an earlier test's run still had to make.
    /// </summary>
    private Task WhenIdleAsync() => host.Get<EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The pod's one security event, with its audit trail.</summary>
    private static async Task<JsonObject> EventOfPodAsync(FlowClient flow, string pod)
    {
        var events = (await flow.GetAsync("api/events"))["events"]!.AsArray();
        var ofPod = events.Where(item => (string?)item!["alert"]!["target"]!["pod"] == pod).ToList();
        Assert.True(ofPod.Count == 1, $"{ofPod.Count} events of pod {pod} among the {events.Count} listed");
        var id = (string)ofPod[0]!["id"]!;
        return await flow.GetAsync($"api/events/{Uri.EscapeDataString(id)}");
    }

    private static IEnumerable<string?> Actions(JsonObject found) => found["audit"]!.AsArray().Select(entry => (string?)entry!["action"]);
}
