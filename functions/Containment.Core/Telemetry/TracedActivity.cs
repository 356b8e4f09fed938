using System.Diagnostics;
using Containment.Activities;

namespace Containment.Telemetry;

/// <summary>Runs one attempt of an activity inside a <see cref="ContainmentTelemetry.RunActivity"/> span; both hosts call activities through it.</summary>
public static class TracedActivity
{
    public static async Task<ActivityResult> RunAsync(IRunActivity activity, ActivityRequest request, CancellationToken cancellationToken)
    {
        using var span = ContainmentTelemetry.Source.StartActivity(ContainmentTelemetry.RunActivity);
        span?.SetTag(TelemetryTags.Activity, activity.Name)
            .SetTag(TelemetryTags.RunId, request.InstanceId)
            .SetTag(TelemetryTags.CallId, request.CallId);
        try
        {
            var result = await activity.RunAsync(request, cancellationToken);
            if (!result.Succeeded)
            {
                span?.SetStatus(ActivityStatusCode.Error, result.Reason).SetTag(TelemetryTags.Retryable, result.Retryable);
            }

            return result;
        }
        catch (Exception exception)
        {
            span?.SetStatus(ActivityStatusCode.Error, FailureReason.Of(exception));
            throw;
        }
    }
}
