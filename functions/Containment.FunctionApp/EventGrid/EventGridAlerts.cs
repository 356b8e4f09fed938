using Containment.Api;
using Containment.FunctionApp.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Containment.FunctionApp.EventGrid;

/// <summary>
/// The Event Grid trigger (the topic's subscription in infra/main.bicep, CloudEvents schema, one event per
/// call). The trigger answers the handshake itself. A failure to store or start throws, so Event Grid
/// retries; an event that cannot be read is kept as poison and not retried, since it would fail again.
/// </summary>
public sealed partial class EventGridAlerts(AlertsApi alerts, DurableClientAccessor durable, ILogger<EventGridAlerts> logger)
{
    [Function(nameof(EventGridAlerts))]
    public async Task RunAsync([EventGridTrigger] string cloudEvent, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        durable.Client = client;
        var request = new ApiRequest
        {
            Method = "POST",
            BaseUri = new Uri("https://" + (Environment.GetEnvironmentVariable("WEBSITE_HOSTNAME") ?? "localhost")),
            ContentType = "application/cloudevents+json",
            Body = BinaryData.FromString(cloudEvent),
        };
        var (entries, error) = await alerts.AdmitAsync(request, EventGridApi.Receiver, context.CancellationToken);
        if (error is not null)
        {
            LogRefused(logger, error.Status);
            return;
        }

        LogAdmitted(logger, entries.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Grid event refused with {Status}; kept as a poison record")]
    private static partial void LogRefused(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Grid event admitted: {Count} alert(s)")]
    private static partial void LogAdmitted(ILogger logger, int count);
}
