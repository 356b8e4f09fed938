using System.Collections.Concurrent;
using Containment.Activities;

namespace Containment.Tests.Runs;

/// <summary>A test activity: records every call and answers as the test scripts it.</summary>
internal sealed class ScriptedActivity(string name, ActivityLog log) : IRunActivity
{
    public string Name => name;

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        log.Calls.Enqueue(new LoggedCall(name, request.CallId, request.Step.Id, request.Attempt, request.Channel));
        log.Signal.Release();
        return log.Behaviours.TryGetValue(name, out var behaviour)
            ? await behaviour(request, cancellationToken)
            : ActivityResult.Success(new { done = name });
    }

    public void ReadAhead(ActivityRequest request, CancellationToken cancellationToken) =>
        log.ReadsAhead.Enqueue(new LoggedCall(name, request.CallId, request.Step.Id, request.Attempt, request.Channel));
}

internal sealed record LoggedCall(string Activity, string CallId, string StepId, int Attempt, string? Channel);

/// <summary>What the scripted activities saw, and how each one answers.</summary>
internal sealed class ActivityLog
{
    public ConcurrentQueue<LoggedCall> Calls { get; } = new();

    /// <summary>The calls a run's start asked to read ahead for.</summary>
    public ConcurrentQueue<LoggedCall> ReadsAhead { get; } = new();

    /// <summary>Released once per call, so a test can wait for the n-th call without sleeping.</summary>
    public SemaphoreSlim Signal { get; } = new(0);

    public ConcurrentDictionary<string, Func<ActivityRequest, CancellationToken, Task<ActivityResult>>> Behaviours { get; } = new();

    public IEnumerable<LoggedCall> Of(string activity) => Calls.Where(call => call.Activity == activity);

    /// <summary>Makes <paramref name="activity"/> wait, until the returned source is set (then it succeeds) or its call is cancelled.</summary>
    public TaskCompletionSource Hold(string activity)
    {
        var mayGo = new TaskCompletionSource();
        Behaviours[activity] = async (_, cancellationToken) =>
        {
            await mayGo.Task.WaitAsync(cancellationToken);
            return ActivityResult.Success();
        };
        return mayGo;
    }

    /// <summary>Waits until <paramref name="activity"/> has been called.</summary>
    public async Task WaitForCallAsync(string activity)
    {
        while (!Of(activity).Any())
        {
            Assert.True(await Signal.WaitAsync(TimeSpan.FromSeconds(30)), $"{activity} was not called");
        }
    }

    public async Task WaitForCallsAsync(int count)
    {
        for (var index = 0; index < count; index++)
        {
            Assert.True(await Signal.WaitAsync(TimeSpan.FromSeconds(30)), $"only {index} of {count} activity calls came");
        }
    }
}
