using System.Net;
using System.Text.Json.Nodes;
using Containment.Api;
using Containment.Local.Hosting;
using Containment.Runs.Embedded;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Api;

/// <summary>
/// A second local host started over the tables another one holds: it starts no run and drives none, says why, and the
/// first goes on as before. Two would both act on a run.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class SecondHostTests(LocalHostFixture host)
{
    [Fact]
    public async Task SecondHostOnTheSameTables_AnswersAlerts503NamingTheHolder_TheRedeliveryToTheHolderActs()
    {
        var port = FreePort.Next();
        var second = host.CreateHostOnTheSameTables(port);
        string alertBody;
        string instanceId;
        try
        {
            await second.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            client.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, LocalHostFixture.ApiKey);
            using var flow = new FlowClient(host);
            var pod = host.TakePod();
            var alertId = $"second-host-{Guid.NewGuid():N}";
            alertBody = $$"""
                {"id":"{{alertId}}","source":"second-host","category":"reverse-shell","severity":"high","time":"2026-11-24T03:00:00Z",
                 "target":{"cluster":"{{LocalHostFixture.Cluster}}","namespace":"{{LocalHostFixture.Namespace}}","pod":"{{pod}}"},"title":"reverse shell"}
                """;
            instanceId = Containment.Runs.RunInstanceId.ForTarget(LocalHostFixture.Cluster, LocalHostFixture.Namespace, pod);
            var holder = host.Services.GetRequiredService<RuntimeLease>().Self;

            using var health = await client.GetAsync(new Uri("api/health", UriKind.Relative));
            var runtime = JsonNode.Parse(await health.Content.ReadAsStringAsync())!["checks"]!.AsArray()
                .Single(check => (string?)check!["name"] == RuntimeRecovery.HealthCheckName)!;
            using var alert = await client.PostAsync(new Uri("api/alerts", UriKind.Relative), new StringContent(alertBody, System.Text.Encoding.UTF8, "application/json"));
            var answer = JsonNode.Parse(await alert.Content.ReadAsStringAsync())!;
            var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString("second-host:" + alertId)}");
            using var run = await flow.Http.GetAsync(new Uri($"api/runs/{Uri.EscapeDataString(instanceId)}", UriKind.Relative));
            using var firstHealth = await flow.Http.GetAsync(new Uri("api/health", UriKind.Relative));

            Assert.Equal("degraded", (string?)runtime["state"]);
            Assert.StartsWith($"another host holds the runtime's tables ({holder}) until ", (string?)runtime["detail"], StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, alert.StatusCode);
            Assert.NotNull(alert.Headers.RetryAfter);
            Assert.StartsWith($"this host does not take or drive runs now: another host holds the runtime's tables ({holder})", (string?)answer["error"], StringComparison.Ordinal);
            // The alert is recorded, and nothing acted on it: the sender's next delivery does.
            Assert.Equal("unprocessed", (string?)stored["event"]!["status"]);
            Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
            Assert.Equal(HttpStatusCode.OK, firstHealth.StatusCode);
            Assert.Null((await flow.PodAsync(pod))!["metadata"]!["labels"]![Containment.Isolation.QuarantineNames.QuarantineLabel]);
        }
        finally
        {
            await second.StopAsync();
            await second.DisposeAsync();
        }

        // Stopping the second host let go of nothing it did not hold: the sender's redelivery to the first starts the run.
        using var after = new FlowClient(host);
        var (status, body) = await after.PostAsync("api/alerts", alertBody);
        var waiting = await after.RunUntilAsync(instanceId, FlowClient.Waiting);
        Assert.Equal(202, status);
        Assert.Equal("started", (string?)body["alerts"]![0]!["outcome"]);
        Assert.Equal("approve-release", (string?)waiting["history"]!.AsArray().Last()!["stepId"]);
    }
}
