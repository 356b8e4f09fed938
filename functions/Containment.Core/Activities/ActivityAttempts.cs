using Containment.Playbooks;

namespace Containment.Activities;

/// <summary>
/// Tries an activity call as often as its step's retry policy allows, waiting the policy's backoff between
/// tries, while the failure is retryable. Each try's request says which attempt it is and how many there
/// are, so the activity can tell a failure that will be tried again from the last one. Both runtimes drive
/// their calls through it; under Durable Functions it runs inside the orchestrator, so it keeps to the
/// caller's context (no ConfigureAwait) and waits only through the wait it is given.
/// </summary>
public static class ActivityAttempts
{
    /// <param name="attemptAsync">One try; an exception from the activity is the caller's to turn into a retryable failure.</param>
    /// <param name="waitAsync">Waits before the next try: a durable timer in an orchestrator, the clock elsewhere.</param>
    /// <param name="retrying">Told of each failure that will be tried again: the attempt that failed, the wait, the result.</param>
    public static async Task<ActivityResult> RunAsync(
        ActivityRequest request,
        StepRetryPolicy? retry,
        Func<ActivityRequest, Task<ActivityResult>> attemptAsync,
        Func<TimeSpan, Task> waitAsync,
        Action<int, TimeSpan, ActivityResult>? retrying = null)
    {
        var maxAttempts = Math.Max(1, retry?.MaxAttempts ?? 1);
        for (var attempt = 1; ; attempt++)
        {
            var result = await attemptAsync(request with { Attempt = attempt, MaxAttempts = maxAttempts });
            if (result.Succeeded || !result.Retryable || attempt >= maxAttempts)
            {
                return attempt > 1 && !result.Succeeded
                    ? result with { Reason = $"{result.Reason} (after {attempt} attempts)" }
                    : result;
            }

            var delay = retry!.DelayAfter(attempt);
            retrying?.Invoke(attempt, delay, result);
            await waitAsync(delay);
        }
    }
}
