using Containment.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>An isolation by hand and the release by hand after it, each of their writes' answers lost in turn.</summary>
public sealed class ByHandLostAnswerTests(AnswerLosingHostFixture host, ITestOutputHelper output) : LostAnswerSweep(host, output), IClassFixture<AnswerLosingHostFixture>
{
    [Fact]
    public async Task EachWriteOfAnIsolationAndReleaseByHand_AnswerLost_BothEndAsWithout()
    {
        var expected = await SweepAsync(IsolatedAndReleasedByHandAsync);

        Assert.Equal(ByHandEnd.Clean, expected);
    }

    /// <summary>An isolation by hand, then a release by hand, for a fresh pod; how they ended.</summary>
    private async Task<ByHandEnd> IsolatedAndReleasedByHandAsync(FlowClient flow)
    {
        var (pod, before, creates) = await FreshPodAsync(flow);
        var isolate = await SendAsync(flow, "api/isolations", $$"""{ "cluster": "aks-prod", "namespace": "shop", "pod": "{{pod}}", "reason": "suspicious outbound traffic" }""");
        var instanceId = (string)isolate.Body["isolationId"]!;
        var isolated = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        var release = await SendAsync(flow, $"api/isolations/{Uri.EscapeDataString(instanceId)}/release", """{ "reason": "traffic explained: backup job" }""");
        var done = await flow.RunUntilAsync(instanceId, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");
        return new ByHandEnd(
            isolate.Status,
            $"{isolated["playbook"]}: {isolated["outcome"]?["result"]}",
            release.Status,
            await PodEndAsync(flow, done, pod, before, creates));
    }

    /// <summary>How an isolation by hand and the release by hand after it ended.</summary>
    private sealed record ByHandEnd(int Isolate, string Isolated, int Release, PodEnd Pod)
    {
        public static readonly ByHandEnd Clean = new(
            202,
            "manual-isolate: succeeded",
            202,
            ReleasedByHand("isolated release-started released"));
    }
}
