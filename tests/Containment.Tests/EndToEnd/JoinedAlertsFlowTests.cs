using Containment.Tests.Support;

namespace Containment.Tests.EndToEnd;

/// <summary>
/// Alerts that join a pod's run while it isolates: whether one arrives before the isolation, during it or after,
/// its event ends processed once the pod is isolated, with at most one status change in its audit trail.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class JoinedAlertsFlowTests(LocalHostFixture host)
{
    private const int Alerts = 40;

    [Fact]
    public async Task ManyAlertsForOnePodAtOnce_OneRun_EveryEventProcessedOnceThePodIsIsolated()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = (await flow.PodAsync(pod))!;

        var answers = await Task.WhenAll(Enumerable.Range(0, Alerts).Select(_ => flow.PostAsync("api/alerts", ReverseShell(pod))));
        var entries = answers.Select(answer => answer.Body["alerts"]!.AsArray().Single()!).ToList();
        var instanceId = (string)entries[0]["instanceId"]!;
        await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) && (string?)status["currentStep"] == "approve-release");

        Assert.All(answers, answer => Assert.Equal(202, answer.Status));
        Assert.Equal(Alerts - 1, entries.Count(entry => (string?)entry["outcome"] == "joined"));
        foreach (var entry in entries)
        {
            var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)entry["eventId"]!)}");
            Assert.Equal("processed", (string?)stored["event"]!["status"]);
            Assert.Equal(instanceId, (string?)stored["event"]!["runInstanceId"]);
            // Stored unprocessed and marked by the isolation, or stored processed once the run has isolated: never changed twice.
            Assert.InRange(stored["audit"]!.AsArray().Count(item => (string?)item!["action"] == "event-status-changed"), 0, 1);
        }

        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, before);
    }

    /// <summary>A native reverse-shell alert for the pod, with an id of its own.</summary>
    private static string ReverseShell(string pod) => $$"""
        { "id": "joined-{{Guid.NewGuid():N}}", "source": "siem", "category": "reverse-shell", "severity": "high", "time": "2026-11-23T03:00:00Z",
          "title": "Reverse shell from container",
          "target": { "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}", "container": "app" } }
        """;
}
