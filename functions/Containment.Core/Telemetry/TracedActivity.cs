using System.Diagnostics;
using Containment.Activities;
using Microsoft.Extensions.Logging;

namespace Containment.Telemetry;

/// <summary>
/// Runs one attempt of an activity inside a <see cref="ContainmentTelemetry.RunActivity"/> span; both hosts call
/// activities through it. An activity that throws fails its attempt as retryable: the exception says nothing about
/// the world (a storage write that did not go through, say), so another try may help.
/// </summary>
public static partial class TracedActivity
{
    public static async Task<ActivityResult> RunAsync(IRunActivity activity, ActivityRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        using var span = ContainmentTelemetry.Source.StartActivity(ContainmentTelemetry.RunActivity);
        span?.SetTag(TelemetryTags.Activity, activity.Name)
            .SetTag(TelemetryTags.RunId, request.InstanceId)
            .SetTag(TelemetryTags.CallId, request.CallId);
        ActivityResult result;
        try
        {
            result = await activity.RunAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A cancellation the caller did not ask for is a call that timed out (HttpClient, a storage SDK).
            LogThrew(logger, exception, activity.Name, request.CallId, request.Attempt);
            result = ActivityResult.Failure(FailureReason.Of(exception), retryable: true);
        }

        if (!result.Succeeded)
        {
            span?.SetStatus(ActivityStatusCode.Error, result.Reason).SetTag(TelemetryTags.Retryable, result.Retryable);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activity {Activity} call {CallId} threw on attempt {Attempt}")]
    private static partial void LogThrew(ILogger logger, Exception exception, string activity, string callId, int attempt);
}
