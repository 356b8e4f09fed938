using Containment.Activities;
using Containment.Playbooks;

namespace Containment.Tests.Runs;

public sealed class ActivityAttemptsTests
{
    private static readonly StepRetryPolicy Policy = new() { MaxAttempts = 4, FirstInterval = TimeSpan.FromSeconds(2), BackoffCoefficient = 2 };

    [Fact]
    public async Task RetryableFailuresThenSuccess_EachTryKnowsItsAttempt_WaitsThePolicysBackoff()
    {
        var seen = new List<ActivityRequest>();
        var waits = new List<TimeSpan>();
        var retried = new List<int>();

        var result = await ActivityAttempts.RunAsync(
            Request(),
            Policy,
            request =>
            {
                seen.Add(request);
                return Task.FromResult(request.Attempt < 3 ? ActivityResult.Failure("429", retryable: true) : ActivityResult.Success());
            },
            delay =>
            {
                waits.Add(delay);
                return Task.CompletedTask;
            },
            (attempt, _, _) => retried.Add(attempt));

        Assert.True(result.Succeeded);
        Assert.Equal([1, 2, 3], seen.Select(request => request.Attempt));
        Assert.All(seen, request => Assert.Equal(4, request.MaxAttempts));
        Assert.Equal([true, true, true], seen.Select(request => request.WillRetry));
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], waits);
        Assert.Equal([1, 2], retried);
    }

    [Fact]
    public async Task RetryableFailureEveryTime_LastTryKnowsItIsLast_ReasonCountsTheTries()
    {
        var seen = new List<ActivityRequest>();

        var result = await ActivityAttempts.RunAsync(
            Request(),
            Policy,
            request =>
            {
                seen.Add(request);
                return Task.FromResult(ActivityResult.Failure("server error", retryable: true));
            },
            _ => Task.CompletedTask);

        Assert.False(result.Succeeded);
        Assert.Equal("server error (after 4 attempts)", result.Reason);
        Assert.Equal([true, true, true, false], seen.Select(request => request.WillRetry));
    }

    [Fact]
    public async Task FailureNotRetryable_OneTryNoWait()
    {
        var tries = 0;
        var waited = false;

        var result = await ActivityAttempts.RunAsync(
            Request(),
            Policy,
            _ =>
            {
                tries++;
                return Task.FromResult(ActivityResult.Failure("forbidden", retryable: false));
            },
            _ =>
            {
                waited = true;
                return Task.CompletedTask;
            });

        Assert.Equal(1, tries);
        Assert.False(waited);
        Assert.Equal("forbidden", result.Reason);
    }

    [Fact]
    public async Task NoRetryPolicy_TheOnlyTryIsTheLast()
    {
        ActivityRequest? seen = null;

        var result = await ActivityAttempts.RunAsync(
            Request(),
            retry: null,
            request =>
            {
                seen = request;
                return Task.FromResult(ActivityResult.Failure("server error", retryable: true));
            },
            _ => throw new InvalidOperationException("no wait without a retry policy"));

        Assert.Equal("server error", result.Reason);
        Assert.Equal((1, 1, false), (seen!.Attempt, seen.MaxAttempts, seen.WillRetry));
    }

    private static ActivityRequest Request() => new()
    {
        InstanceId = "prod~payments~api-7d9f",
        CallId = "isolate",
        Playbook = "test",
        Step = new IsolateStep { Id = "isolate", Retry = Policy },
        Alert = MachineDriver.Alert(),
    };
}
