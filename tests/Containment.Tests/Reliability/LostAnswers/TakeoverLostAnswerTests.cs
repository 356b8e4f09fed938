using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>A release by hand taking the pod from a run waiting on its approval, which a second alert joined, each of its writes' answers lost in turn.</summary>
public sealed class TakeoverLostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : LostAnswerSweep(host, output), IClassFixture<AnswerLosingHostFixture>
{
    [Fact]
    public async Task EachWriteOfAReleaseByHandWhileTheRunWaits_AnswerLost_TheReleaseEndsAsWithout()
    {
        var expected = await SweepFromMarkAsync(ReleasedByHandAsync);

        Assert.Equal(TakeoverEnd.Clean, expected);
    }

    /// <summary>
    /// Alert, isolation; a second alert for the pod joins the run waiting on its approval; then a release by hand takes
    /// the pod from that run and gives it back. For a fresh pod; how it ended. The writes up to the wait are the approved
    /// run's, swept in <see cref="DecidedRunLostAnswerTests"/>: <paramref name="mark"/> comes after them.
    /// </summary>
    private async Task<TakeoverEnd> ReleasedByHandAsync(FlowClient flow, Action mark)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var first = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)first.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status));
        await Host.Get<Containment.Runs.Embedded.EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        mark();
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

    /// <summary>How a release by hand that took the pod from a waiting, joined run ended.</summary>
    private sealed record TakeoverEnd(string First, string Second, int Release, PodEnd Pod, string FirstEvent, string SecondEvent)
    {
        public static readonly TakeoverEnd Clean = new(
            "202 started",
            "202 joined",
            202,
            ReleasedByHand("isolated approval-requested release-started released"),
            "processed: event-status-changed",

            // An alert joining a run that holds its pod isolated is stored processed, with no change to audit
            // (see the README's Security events).
            "processed: ");
    }
}
