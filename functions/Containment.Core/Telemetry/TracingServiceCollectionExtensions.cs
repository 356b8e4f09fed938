using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Containment.Telemetry;

public static class TracingServiceCollectionExtensions
{
    /// <summary>The OpenTelemetry setting that names the collector; without it nothing is exported.</summary>
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The exporter's setting for trying a batch again after a transient failure (a collector restarting answers
    /// 503 or does not answer): <c>in_memory</c> retries in memory, <c>disk</c> keeps the batch in a folder until it
    /// goes through. Without it a failed batch is dropped.
    /// </summary>
    public const string RetrySetting = "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY";

    /// <summary>The service name spans carry unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string DefaultServiceName = "containment";

    /// <summary>
    /// Exports the product's spans over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector. The
    /// exporter reads the other standard settings itself (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, …),
    /// from app settings or the environment.
    /// </summary>
    public static IServiceCollection AddContainmentTracing(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[EndpointSetting]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName))
            .WithTracing(tracing => tracing
                .AddSource(ContainmentTelemetry.SourceName)
                // Not parent-based: the web host opens an activity per request that nothing samples, and a
                // child of an unsampled parent would be dropped with it.
                .SetSampler(new AlwaysOnSampler())
                .AddOtlpExporter());
        return services;
    }
}
