using Containment.Activities;
using Containment.Runs.Machine;
using Containment.Telemetry;
using Microsoft.Extensions.Logging;

namespace Containment.Runs.Embedded;

/// <summary>
/// Calls an activity by name, retrying with the step's backoff while the failure is retryable (an exception from an
/// activity is one, see <see cref="TracedActivity"/>). Only the runtime stopping cancels the call.
/// </summary>
public sealed partial class ActivityInvoker(IEnumerable<IRunActivity> activities, TimeProvider time, ILogger<ActivityInvoker> logger)
{
    private readonly Dictionary<string, IRunActivity> byName = activities.ToDictionary(activity => activity.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => byName.Keys;

    /// <summary>Lets each activity start the reads its first attempt begins with; a failure to do so only costs the head start.</summary>
    public void ReadAhead(IEnumerable<ActivityCall> calls, CancellationToken cancellationToken)
    {
        foreach (var call in calls)
        {
            if (byName.TryGetValue(call.ActivityName, out var activity))
            {
                try
                {
                    activity.ReadAhead(call.Request, cancellationToken);
                }
                catch (Exception exception)
                {
                    LogReadAheadThrew(logger, exception, call.ActivityName, call.CallId);
                }
            }
        }
    }

    public async Task<ActivityResult> InvokeAsync(ActivityCall call, CancellationToken cancellationToken)
    {
        if (!byName.TryGetValue(call.ActivityName, out var activity))
        {
            return ActivityResult.Failure($"no activity named {call.ActivityName} is registered", retryable: false);
        }

        return await ActivityAttempts.RunAsync(
            call.Request,
            call.Retry,
            request => TracedActivity.RunAsync(activity, request, logger, cancellationToken),
            delay => Task.Delay(delay, time, cancellationToken),
            (attempt, delay, result) => LogRetrying(logger, call.ActivityName, call.CallId, attempt, delay, result.Reason));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activity {Activity} call {CallId} could not read ahead")]
    private static partial void LogReadAheadThrew(ILogger logger, Exception exception, string activity, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Activity {Activity} call {CallId} failed on attempt {Attempt}; retrying in {Delay}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string activity, string callId, int attempt, TimeSpan delay, string? reason);
}
