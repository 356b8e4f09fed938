using System.Text;
using Containment.Activities;
using Containment.Telemetry;
using Containment.Tests.EndToEnd;
using OpenTelemetry.Trace;

namespace Containment.Tests.Telemetry;

/// <summary>The local host sends its spans to the collector its settings name.</summary>
[Collection(TracingHostCollection.Name)]
public sealed class HostTracingTests(TracingHostFixture host)
{
    [Fact]
    public async Task CollectorNamed_AnAlertsIsolationReachesIt()
    {
        using var reported = new OpenTelemetryEvents();
        using var flow = new FlowClient(host);
        var pod = host.TakePod();

        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        Assert.True(host.Get<TracerProvider>().ForceFlush(timeoutMilliseconds: 10_000));

        // A flush returns once the spans have left the buffer, which may be before their export has arrived.
        string Exported() => string.Concat(host.Collector.Requests.Where(request => request.PathAndQuery == "/v1/traces").Select(request => Encoding.UTF8.GetString(request.Body)));
        await host.Collector.WaitForAsync(_ => Exported() is var text && text.Contains(instanceId, StringComparison.Ordinal) && text.Contains(ContainmentTelemetry.LedgerWrite, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var exported = Exported();
        Assert.True(exported.Contains(instanceId, StringComparison.Ordinal), $"no export named {instanceId} ({host.Collector.Requests.Count} requests in all); OpenTelemetry said:{Environment.NewLine}{reported}");
        Assert.Contains(ContainmentTelemetry.AlertAdmit, exported, StringComparison.Ordinal);
        Assert.Contains(ContainmentTelemetry.RunActivity, exported, StringComparison.Ordinal);
        Assert.Contains(ActivityNames.IsolatePod, exported, StringComparison.Ordinal);
        Assert.Contains(ContainmentTelemetry.LedgerWrite, exported, StringComparison.Ordinal);
        Assert.Contains(TracingServiceCollectionExtensions.DefaultServiceName, exported, StringComparison.Ordinal);
    }
}
