using Containment.Telemetry;
using Containment.Tests.Notifications;
using Containment.Tests.Support;

namespace Containment.Tests.Telemetry;

/// <summary>The local host with an OpenTelemetry collector named: a loopback receiver of OTLP over HTTP.</summary>
public sealed class TracingHostFixture : LocalHostFixture, IAsyncLifetime
{
    internal LoopbackReceiver Collector { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Collector.Dispose();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings[TracingServiceCollectionExtensions.EndpointSetting] = new Uri(Collector.Url, "/").ToString();
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
    }
}

[CollectionDefinition(Name)]
public sealed class TracingHostCollection : ICollectionFixture<TracingHostFixture>
{
    public const string Name = "tracing host";
}
