using Containment.Tests.EndToEnd;
using Containment.Tests.Support;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>
/// A run of the shipped confirm-first playbook, rejected by its link before the pod is touched, each of its writes'
/// answers lost in turn: the pod keeps its network and the event is marked ignored, once.
/// </summary>
public sealed class ConfirmFirstLostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : LostAnswerSweep(host, output), IClassFixture<AnswerLosingHostFixture>
{
    [Fact]
    public async Task EachWriteOfARejectedConfirmation_AnswerLost_TheRunEndsAsWithout()
    {
        var expected = await SweepAsync(RejectedConfirmationAsync);

        Assert.Equal(ConfirmationEnd.Rejected, expected);
    }

    /// <summary>An abnormal-process alert, its confirmation rejected by its link, for a fresh pod; how it ended.</summary>
    private async Task<ConfirmationEnd> RejectedConfirmationAsync(FlowClient flow)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var alert = $$"""
            { "id": "confirm-{{Guid.NewGuid():N}}", "source": "siem", "category": "abnormal-process", "severity": "medium", "time": "2026-11-23T03:00:00Z",
              "title": "Unexpected binary started in container",
              "target": { "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}", "container": "app" } }
            """;
        var admitted = await SendAsync(flow, "api/alerts", alert);
        var instanceId = (string)admitted.Body["alerts"]![0]!["instanceId"]!;
        var decided = 0;
        if (FlowClient.Waiting(await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status))))
        {
            decided = await DecideAsync(await flow.ApprovalLinkAsync(pod), "reject");
        }

        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        return new ConfirmationEnd(Admission(admitted), decided, await PodEndAsync(flow, done, pod, before, creates), await EventEndAsync(flow, admitted));
    }

    /// <summary>How a confirm-first run ended, as the sender and the approver saw it, then on the cluster and in the ledger.</summary>
    private sealed record ConfirmationEnd(string Admitted, int Decided, PodEnd Pod, string Event)
    {
        /// <summary>Rejected: nothing touched the pod, no isolation record, and the event is ignored by the approver, once.</summary>
        public static readonly ConfirmationEnd Rejected = new(
            "202 started",
            200,
            new PodEnd(
                "succeeded",
                "approve-isolation:rejected mark-benign:succeeded tell-not-isolated:succeeded",
                PodAsBefore: true,
                PoliciesLeft: 0,
                PolicyCreates: 0,
                null,
                string.Empty,
                "state"),
            "ignored: event-status-changed");
    }
}
