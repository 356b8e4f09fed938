using System.Diagnostics;
using Containment.Activities;
using Containment.Alerts;
using Containment.Playbooks;
using Containment.Telemetry;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containment.Tests.Telemetry;

/// <summary>The product's spans: one per alert taken in, per activity attempt and per ledger write, tagged so one alert's path can be followed.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class TelemetryTests(LocalHostFixture host)
{
    [Fact]
    public async Task Alert_IsolatedPod_TracesAdmissionActivityAndLedgerWrite()
    {
        using var spans = new SpanRecorder();
        using var flow = new FlowClient(host);
        var pod = host.TakePod();

        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var entry = body["alerts"]![0]!;
        var instanceId = (string)entry["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);

        var admit = Assert.Single(spans.Spans(ContainmentTelemetry.AlertAdmit, TelemetryTags.EventId, (string)entry["eventId"]!));
        Assert.Equal("started", admit.GetTagItem(TelemetryTags.AdmissionOutcome));
        Assert.Equal(instanceId, admit.GetTagItem(TelemetryTags.RunId));
        Assert.Equal("isolate-escape-reverse-shell", admit.GetTagItem(TelemetryTags.Playbook));

        // Spans are recorded process-wide, and another fixture's host may isolate a pod of the same name (so the
        // same run id) at the same time: this alert's spans are those of its admission's trace.
        var isolate = Assert.Single(
            spans.Spans(ContainmentTelemetry.RunActivity, TelemetryTags.RunId, instanceId),
            span => (string?)span.GetTagItem(TelemetryTags.Activity) == ActivityNames.IsolatePod && span.TraceId == admit.TraceId);
        Assert.Equal(ActivityStatusCode.Unset, isolate.Status);

        // The isolation record is written inside the isolate activity, with its audit entry.
        var written = Assert.Single(
            spans.Spans(ContainmentTelemetry.LedgerWrite, TelemetryTags.RecordId, instanceId),
            span => (string?)span.GetTagItem(TelemetryTags.RecordStatus) == "Isolated" && span.TraceId == admit.TraceId);
        Assert.Equal("isolation", written.GetTagItem(TelemetryTags.RecordKind));
        Assert.Equal(1, written.GetTagItem(TelemetryTags.AuditEntries));
        Assert.Equal(isolate.SpanId, written.ParentSpanId);
    }

    [Fact]
    public async Task FailedActivity_SpanSaysErrorWithTheReason()
    {
        using var spans = new SpanRecorder();
        var request = Request();

        var result = await TracedActivity.RunAsync(new Failing(), request, NullLogger.Instance, CancellationToken.None);

        Assert.False(result.Succeeded);
        var span = Assert.Single(spans.Spans(ContainmentTelemetry.RunActivity, TelemetryTags.RunId, request.InstanceId));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("the cluster answered 503", span.StatusDescription);
        Assert.Equal(true, span.GetTagItem(TelemetryTags.Retryable));
        Assert.Equal("Failing", span.GetTagItem(TelemetryTags.Activity));
    }

    [Fact]
    public async Task ActivityThrows_RetryableFailureWithTheReasonAndTheSpanSaysError()
    {
        using var spans = new SpanRecorder();
        var request = Request();

        var result = await TracedActivity.RunAsync(new Throwing(), request, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(ActivityResult.Failure("InvalidOperationException: the ledger is gone", retryable: true), result);
        var span = Assert.Single(spans.Spans(ContainmentTelemetry.RunActivity, TelemetryTags.RunId, request.InstanceId));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("InvalidOperationException: the ledger is gone", span.StatusDescription);
        Assert.Equal(true, span.GetTagItem(TelemetryTags.Retryable));
    }

    [Fact]
    public async Task CancelledByTheCaller_ThrowsRatherThanFails()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TracedActivity.RunAsync(new Throwing(), Request(), NullLogger.Instance, cancelled.Token));
    }

    private static ActivityRequest Request() => new()
    {
        InstanceId = "telemetry-" + Guid.NewGuid().ToString("N"),
        CallId = "call-1",
        Playbook = "p",
        Step = new NotifyStep { Id = "tell", Channels = ["soc"], Template = NotificationTemplate.Isolated },
        Alert = new Alert { Id = "a", Source = "test", Category = AlertCategory.ReverseShell, Severity = Severity.High, Time = DateTimeOffset.UnixEpoch, Target = new AlertTarget { Namespace = "shop", Pod = "p" } },
    };

    /// <summary>Throws as a storage write past its retries would; cancelled by its caller, it says so.</summary>
    private sealed class Throwing : IRunActivity
    {
        public string Name => nameof(Throwing);

        public Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("the ledger is gone");
        }
    }

    private sealed class Failing : IRunActivity
    {
        public string Name => nameof(Failing);

        public Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(ActivityResult.Failure("the cluster answered 503", retryable: true));
    }
}
