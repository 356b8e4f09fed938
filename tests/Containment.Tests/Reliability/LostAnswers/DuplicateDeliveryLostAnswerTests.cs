using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>
/// One alert delivered three times at once, each of its writes' answers lost in turn, up to the run's wait for its
/// approval: one run, one isolation, one event, each change told once.
/// </summary>
public sealed class DuplicateDeliveryLostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : LostAnswerSweep(host, output), IClassFixture<AnswerLosingHostFixture>
{
    [Fact]
    public async Task EachWriteOfThreeDeliveriesAtOnce_AnswerLost_OneRunIsolatesOnce()
    {
        var expected = await SweepAsync(DeliveredThriceAsync);

        Assert.Equal(DeliveriesEnd.OneRun, expected);
    }

    /// <summary>The same reverse-shell alert sent three times at once for a fresh pod, until its run waits; how that went.</summary>
    private async Task<DeliveriesEnd> DeliveredThriceAsync(FlowClient flow)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var alert = FlowClient.Payload("defender-arm-reverse-shell.json", pod);
        var admitted = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendAsync(flow, "api/alerts", alert)));
        var instanceId = (string)admitted[0].Body["alerts"]![0]!["instanceId"]!;
        var waiting = await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status));
        // Which delivery is told it started the run is not compared: when the run insert's answer is lost and another
        // delivery drives the run before the SDK's next try, that try no longer finds its own row, and all three are
        // told they joined.
        return new DeliveriesEnd(
            string.Join(", ", admitted.Select(answer => answer.Status)),
            admitted.Select(answer => (string?)answer.Body["alerts"]![0]!["instanceId"]).Distinct().Count(),
            await PodEndAsync(flow, waiting, pod, before, creates),
            await EventEndAsync(flow, admitted[0]));
    }

    /// <summary>How three deliveries of one alert went, up to the run's wait: the answers, the runs they name, the pod, the event.</summary>
    private sealed record DeliveriesEnd(string Admitted, int Runs, PodEnd Pod, string Event)
    {
        public static readonly DeliveriesEnd OneRun = new(
            "202, 202, 202",
            1,
            new PodEnd(
                null,
                "isolate:succeeded cordon-node:skipped tell-soc:succeeded approve-release:waiting",
                PodAsBefore: false,
                PoliciesLeft: 1,
                PolicyCreates: 1,
                "isolated",
                "isolated approval-requested",
                "state"),
            "processed: event-status-changed");
    }
}
