using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>A run of the shipped reverse-shell playbook decided by its link, each of its writes' answers lost in turn.</summary>
public sealed class DecidedRunLostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : LostAnswerSweep(host, output), IClassFixture<AnswerLosingHostFixture>
{
    [Fact]
    public async Task EachWriteOfAnApprovedRun_AnswerLost_TheRunEndsAsWithout()
    {
        var expected = await SweepAsync(flow => DecidedRunAsync(flow, "approve", mark: () => { }));

        Assert.Equal(RunEnd.Approved, expected);
    }

    [Fact]
    public async Task EachWriteAfterARejection_AnswerLost_TheRunEndsAsWithout()
    {
        var expected = await SweepFromMarkAsync((flow, mark) => DecidedRunAsync(flow, "reject", mark));

        Assert.Equal(RunEnd.Rejected, expected);
    }

    [Fact]
    public async Task EachWriteOfASecondRunOnTheSamePod_AnswerLost_ItStartsOnce()
    {
        var expected = await SweepFromMarkAsync(SecondRunAsync);

        Assert.Equal(SecondRunEnd.Waiting, expected);
    }

    /// <summary>
    /// A run approved and ended, then a new alert for the same pod: its run takes the ended run's place, isolates the pod
    /// again and waits on its approval. <paramref name="mark"/> comes between the two: the first run's writes are swept above.
    /// </summary>
    private async Task<SecondRunEnd> SecondRunAsync(FlowClient flow, Action mark)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var first = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)first.Body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        await DecideAsync(await flow.ApprovalLinkAsync(pod), "approve");
        var firstAlert = (string?)(await flow.RunUntilAsync(instanceId, FlowClient.Finished))["alertId"];
        await Host.Get<Containment.Runs.Embedded.EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        mark();
        var second = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var waiting = await flow.RunUntilAsync(instanceId, status => (string?)status["alertId"] != firstAlert && (FlowClient.Waiting(status) || FlowClient.Finished(status)));
        return new SecondRunEnd(Admission(second), await PodEndAsync(flow, waiting, pod, before, creates), await EventEndAsync(flow, second));
    }

    /// <summary>
    /// Alert, isolation, the decision by its link and what follows it, for a fresh pod; how it ended. <paramref name="mark"/>
    /// comes once the run waits: the writes before are the approved run's.
    /// </summary>
    private async Task<RunEnd> DecidedRunAsync(FlowClient flow, string decision, Action mark)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var admitted = await SendAsync(flow, "api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)admitted.Body["alerts"]![0]!["instanceId"]!;
        var decided = 0;
        if (FlowClient.Waiting(await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status))))
        {
            await Host.Get<Containment.Runs.Embedded.EmbeddedRuntime>().WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            mark();
            decided = await DecideAsync(await flow.ApprovalLinkAsync(pod), decision);
        }

        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        return new RunEnd(Admission(admitted), decided, await PodEndAsync(flow, done, pod, before, creates), await EventEndAsync(flow, admitted));
    }

    /// <summary>How an approved run ended, as the sender and the approver saw it, then on the cluster and in the ledger.</summary>
    private sealed record RunEnd(string Admitted, int Decided, PodEnd Pod, string Event)
    {
        /// <summary>A run of the shipped playbook approved and released, each change made and told once.</summary>
        public static readonly RunEnd Approved = new(
            "202 started",
            200,
            new PodEnd(
                "succeeded",
                "isolate:succeeded cordon-node:skipped tell-soc:succeeded approve-release:approved release:succeeded uncordon-node:skipped tell-released:succeeded",
                PodAsBefore: true,
                PoliciesLeft: 0,
                PolicyCreates: 1,
                "released",
                "isolated approval-requested approved released",
                "state"),
            "processed: event-status-changed");

        /// <summary>A run of the shipped playbook rejected: the pod stays isolated, and the SOC is told.</summary>
        public static readonly RunEnd Rejected = new(
            "202 started",
            200,
            new PodEnd(
                "succeeded",
                "isolate:succeeded cordon-node:skipped tell-soc:succeeded approve-release:rejected tell-kept:succeeded",
                PodAsBefore: false,
                PoliciesLeft: 1,
                PolicyCreates: 1,
                "isolated",
                "isolated approval-requested rejected",
                "state"),
            "processed: event-status-changed");
    }

    /// <summary>How a second run on a pod went, up to its wait: its sender's answer, the pod, the pod's record, the new event.</summary>
    private sealed record SecondRunEnd(string Admitted, PodEnd Pod, string Event)
    {
        public static readonly SecondRunEnd Waiting = new(
            "202 started",
            new PodEnd(
                null,
                "isolate:succeeded cordon-node:skipped tell-soc:succeeded approve-release:waiting",
                PodAsBefore: false,
                PoliciesLeft: 1,
                PolicyCreates: 2,
                "isolated",
                "isolated approval-requested approved released isolated approval-requested",
                "state"),
            "processed: event-status-changed");
    }
}
