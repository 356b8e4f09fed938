using System.Collections.Concurrent;
using System.Diagnostics;
using Containment.Activities;
using Containment.Telemetry;

namespace Containment.Bench;

/// <summary>
/// Listens to the product's spans. Tells when the Isolated record of an expected pod has been written (the
/// <see cref="Stopwatch"/> timestamp at which its <c>ledger.write</c> span closed without error), and keeps each
/// alert's admission, isolate activity and record write to show where the time went.
/// </summary>
internal sealed class IsolatedRecords : IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> expected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ActivityTraceId, Phases> byTrace = new();
    private readonly ActivityListener listener;

    public IsolatedRecords()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ContainmentTelemetry.SourceName,
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

    /// <summary>Drops the phases kept so far (the warm-up's); the records still expected stay expected.</summary>
    public void ForgetPhases() => byTrace.Clear();

    public void Dispose() => listener.Dispose();

    private static double Median(IEnumerable<TimeSpan> values) => Percentile.Of(values.Select(value => value.TotalMilliseconds), 50);

    private void Stopped(Activity span)
    {
        var at = Stopwatch.GetTimestamp();
        var phases = byTrace.GetOrAdd(span.TraceId, _ => new Phases());
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
    }
}
