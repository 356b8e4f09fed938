using System.Collections.Concurrent;
using System.Diagnostics;
using Containment.Telemetry;

namespace Containment.Tests.Telemetry;

/// <summary>Keeps every finished span of the product's source while it lives; tests in parallel add theirs, so callers filter by their own ids.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> finished = new();
    private readonly ActivityListener listener;

    public SpanRecorder()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ContainmentTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = finished.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The finished spans of <paramref name="name"/> whose <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public IReadOnlyList<Activity> Spans(string name, string tag, string value) =>
        finished.Where(span => span.OperationName == name && Equals(span.GetTagItem(tag), value)).ToList();

    public void Dispose() => listener.Dispose();
}
