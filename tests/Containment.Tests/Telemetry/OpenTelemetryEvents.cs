using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Containment.Tests.Telemetry;

/// <summary>
/// What the OpenTelemetry SDK and exporter report about themselves (a failed export, a dropped span), at warning
/// and above, so a test that misses a span can say why.
/// </summary>
internal sealed class OpenTelemetryEvents : EventListener
{
    private readonly ConcurrentQueue<string> lines = new();

    public override string ToString() => lines.IsEmpty ? "(OpenTelemetry reported nothing)" : string.Join(Environment.NewLine, lines);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var arguments = eventData.Payload?.ToArray() ?? [];
        var text = eventData.Message is null ? string.Join("; ", arguments) : string.Format(System.Globalization.CultureInfo.InvariantCulture, eventData.Message, arguments);
        lines.Enqueue($"{eventData.EventSource.Name} {eventData.Level}: {text}");
    }
}
