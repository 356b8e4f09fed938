using System.Text;
using Containment.Telemetry;
using Containment.Tests.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Containment.Tests.Telemetry;

/// <summary>Spans leave the process over OTLP only when a collector is named, and reach it with their attributes.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task CollectorNamed_SpanReachesItOverOtlpHttp()
    {
        using var reported = new OpenTelemetryEvents();
        using var collector = new LoopbackReceiver();
        await using var services = Services(new()
        {
            [TracingServiceCollectionExtensions.EndpointSetting] = new Uri(collector.Url, "/").ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "containment-otlp-test",
        });
        var tracer = services.GetRequiredService<TracerProvider>();
        var id = "otlp-" + Guid.NewGuid().ToString("N");

        using (var span = ContainmentTelemetry.Source.StartActivity(ContainmentTelemetry.LedgerWrite))
        {
            span!.SetTag(TelemetryTags.RecordId, id);
        }

        // A flush returns once the span has left the buffer, which may be before its export has arrived.
        Assert.True(tracer.ForceFlush(timeoutMilliseconds: 10_000));
        var export = await collector.WaitForAsync(request => Encoding.UTF8.GetString(request.Body).Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(export is not null, $"no export carried the span ({collector.Requests.Count} requests in all); OpenTelemetry said:{Environment.NewLine}{reported}");
        Assert.Single(collector.Requests, request => Encoding.UTF8.GetString(request.Body).Contains(id, StringComparison.Ordinal));
        Assert.Equal("POST", export.Method);
        Assert.Equal("/v1/traces", export.PathAndQuery);
        Assert.Equal("application/x-protobuf", export.Headers["Content-Type"]);
        var body = Encoding.UTF8.GetString(export.Body);
        Assert.Contains(ContainmentTelemetry.LedgerWrite, body, StringComparison.Ordinal);
        Assert.Contains(TelemetryTags.RecordId, body, StringComparison.Ordinal);
        Assert.Contains("containment-otlp-test", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetrySettingGiven_BatchTheCollectorRefusedOnceArrivesOnTheNextTry()
    {
        using var reported = new OpenTelemetryEvents();
        using var collector = new LoopbackReceiver();
        collector.Answer(503);
        await using var services = Services(new()
        {
            [TracingServiceCollectionExtensions.EndpointSetting] = new Uri(collector.Url, "/").ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            [TracingServiceCollectionExtensions.RetrySetting] = "in_memory",
        });
        var tracer = services.GetRequiredService<TracerProvider>();
        var id = "otlp-" + Guid.NewGuid().ToString("N");

        using (var span = ContainmentTelemetry.Source.StartActivity(ContainmentTelemetry.LedgerWrite))
        {
            span!.SetTag(TelemetryTags.RecordId, id);
        }

        // The exporter tries again after a delay of its own, which a flush does not wait for.
        Assert.True(tracer.ForceFlush(timeoutMilliseconds: 10_000));
        bool Carries(ReceivedRequest request) => Encoding.UTF8.GetString(request.Body).Contains(id, StringComparison.Ordinal);
        await collector.WaitForAsync(_ => collector.Requests.Count(Carries) >= 2, TimeSpan.FromSeconds(30));
        var carrying = collector.Requests.Count(Carries);
        Assert.True(carrying == 2, $"{carrying} exports carried the span ({collector.Requests.Count} requests in all); OpenTelemetry said:{Environment.NewLine}{reported}");
    }

    [Fact]
    public async Task NoCollector_NoTracerProvider()
    {
        await using var services = Services([]);

        Assert.Null(services.GetService<TracerProvider>());
    }

    /// <summary>The settings as a host registers them: the exporter reads its own from the configuration in the container.</summary>
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddContainmentTracing(configuration)
            .BuildServiceProvider();
    }
}
