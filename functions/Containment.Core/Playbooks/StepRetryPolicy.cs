namespace Containment.Playbooks;

/// <summary>How a failing step is retried: exponential backoff from <see cref="FirstInterval"/>, capped at <see cref="MaxInterval"/> and at <see cref="PlaybookLimits.LongestDelay"/>.</summary>
public sealed record StepRetryPolicy
{
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan FirstInterval { get; init; } = TimeSpan.FromSeconds(5);

    public double BackoffCoefficient { get; init; } = 2.0;

    public TimeSpan? MaxInterval { get; init; }

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1, after <paramref name="attempt"/> failures (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var ticks = FirstInterval.Ticks * Math.Pow(BackoffCoefficient, Math.Max(0, attempt - 1));
        var longest = MaxInterval is { } max && max < PlaybookLimits.LongestDelay ? max : PlaybookLimits.LongestDelay;
        return ticks >= longest.Ticks ? longest : TimeSpan.FromTicks((long)ticks);
    }
}
