using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>A run of the shipped reverse-shell playbook approved by its link, each of its writes' answers lost in turn.</summary>
public sealed class ApprovedRunLostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : LostAnswerSweep(host, output), IClassFixture<AnswerLosingHostFixture>
{
    [Fact]
    public async Task EachWriteOfARun_AnswerLost_TheRunEndsAsWithout()
    {
        var expected = await SweepAsync(ApprovedRunAsync);

        Assert.Equal(RunEnd.Clean, expected);
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
}
