using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Containment.Activities;
using Containment.Telemetry;

namespace Containment.Bench;

/// <summary>
/// Listens to the product's spans and to the HTTP client's. Tells when the Isolated record of an expected pod has been
/// written (the <see cref="Stopwatch"/> timestamp at which its <c>ledger.write</c> span closed without error), and keeps
/// each alert's spans (admission, isolate activity, record write, and every request made in its trace) to show where
/// the time went.
/// </summary>
internal sealed partial class IsolatedRecords : IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> expected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ActivityTraceId, Phases> byTrace = new();
    private readonly ActivityListener listener;

    /// <summary>The HTTP client's spans (.NET's own instrumentation): the alert's request and every storage and Kubernetes call in its trace.</summary>
    private const string HttpClientSource = "System.Net.Http";

    public IsolatedRecords()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is ContainmentTelemetry.SourceName or HttpClientSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>Completes with the timestamp at which the isolation record <paramref name="id"/> is first written Isolated.</summary>
    public Task<long> Expect(string id) => expected.GetOrAdd(id, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Median milliseconds of: the admission (event stored, run started), the admission's start until the isolate
    /// activity's (what stands before the first Kubernetes call), the isolate activity until its record write (the
    /// Kubernetes calls), the record write.
    /// </summary>
    public (double Admission, double ToIsolate, double Kubernetes, double RecordWrite) MedianPhases()
    {
        var complete = byTrace.Values.Where(phases => phases is { Admit: not null, Isolate: not null, Record: not null }).ToList();
        return (
            Median(complete.Select(phases => phases.Admit!.Duration)),
            Median(complete.Select(phases => phases.Isolate!.StartTimeUtc - phases.Admit!.StartTimeUtc)),
            Median(complete.Select(phases => phases.Record!.StartTimeUtc - phases.Isolate!.StartTimeUtc)),
            Median(complete.Select(phases => phases.Record!.Duration)));
    }

    /// <summary>
    /// Every span that most alerts have, up to the Isolated record's write: its median start after the alert's request
    /// began and its median length, in milliseconds, in the order they start. A span is named by its operation, or by
    /// the request's method and path with keys and pod names left out, and numbered when an alert has several.
    /// </summary>
    public IReadOnlyList<(string Span, double StartMs, double LengthMs)> MedianTimeline()
    {
        var complete = byTrace.Values.Where(phases => phases is { Admit: not null, Isolate: not null, Record: not null }).ToList();
        var rows = new Dictionary<string, (List<double> Starts, List<double> Lengths)>(StringComparer.Ordinal);
        foreach (var phases in complete)
        {
            var spans = phases.Spans.OrderBy(span => span.StartTimeUtc).ToList();
            var begun = spans.FirstOrDefault(span => span.Source.Name == HttpClientSource && Name(span).EndsWith("/api/alerts", StringComparison.Ordinal))?.StartTimeUtc
                ?? phases.Admit!.StartTimeUtc;
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var span in spans.Where(span => span.StartTimeUtc <= phases.Record!.StartTimeUtc))
            {
                var name = Name(span);
                seen[name] = seen.GetValueOrDefault(name) + 1;
                var key = seen[name] == 1 ? name : $"{name} ({seen[name]})";
                if (!rows.TryGetValue(key, out var row))
                {
                    rows[key] = row = ([], []);
                }

                row.Starts.Add((span.StartTimeUtc - begun).TotalMilliseconds);
                row.Lengths.Add(span.Duration.TotalMilliseconds);
            }
        }

        return [.. rows
            .Where(row => row.Value.Starts.Count * 2 >= complete.Count)
            .Select(row => (row.Key, Percentile.Of(row.Value.Starts, 50), Percentile.Of(row.Value.Lengths, 50)))
            .OrderBy(row => row.Item2)];
    }

    private static string Name(Activity span)
    {
        if (span.Source.Name != HttpClientSource)
        {
            return span.GetTagItem(TelemetryTags.Activity) is string activity ? $"{span.OperationName} {activity}" : span.OperationName;
        }

        var url = span.GetTagItem("url.full") is string full && Uri.TryCreate(full, UriKind.Absolute, out var uri) ? uri.AbsolutePath : "?";
        return $"{span.GetTagItem("http.request.method")} {KeysAndPods().Replace(url, "{…}")}";
    }

    /// <summary>A table row's keys, <c>(PartitionKey='…',RowKey='…')</c>, and a seeded pod's name.</summary>
    [GeneratedRegex(@"\(PartitionKey=[^)]*\)|bench-\d+")]
    private static partial Regex KeysAndPods();

    /// <summary>Drops the phases kept so far (the warm-up's); the records still expected stay expected.</summary>
    public void ForgetPhases() => byTrace.Clear();

    public void Dispose() => listener.Dispose();

    private static double Median(IEnumerable<TimeSpan> values) => Percentile.Of(values.Select(value => value.TotalMilliseconds), 50);

    private void Stopped(Activity span)
    {
        var at = Stopwatch.GetTimestamp();
        var phases = byTrace.GetOrAdd(span.TraceId, _ => new Phases());
        phases.Spans.Enqueue(span);
        switch (span.OperationName)
        {
            case ContainmentTelemetry.AlertAdmit:
                phases.Admit = span;
                break;
            case ContainmentTelemetry.RunActivity when span.GetTagItem(TelemetryTags.Activity) is ActivityNames.IsolatePod:
                phases.Isolate = span;
                break;
            case ContainmentTelemetry.LedgerWrite
                when span.Status != ActivityStatusCode.Error
                    && span.GetTagItem(TelemetryTags.RecordKind) is "isolation"
                    && span.GetTagItem(TelemetryTags.RecordStatus) is "Isolated"
                    && span.GetTagItem(TelemetryTags.RecordId) is string id
                    && expected.TryGetValue(id, out var waiter):
                phases.Record ??= span;
                waiter.TrySetResult(at);
                break;
        }
    }

    private sealed class Phases
    {
        public Activity? Admit { get; set; }

        public Activity? Isolate { get; set; }

        public Activity? Record { get; set; }

        public ConcurrentQueue<Activity> Spans { get; } = new();
    }
}
