namespace KubeSim;

/// <summary>
/// Fails or delays the next <see cref="Count"/> requests whose method and path match. A status of 0
/// with a delay only delays.
/// </summary>
public sealed record FaultRule
{
    public required string Method { get; init; }

    public required string PathPrefix { get; init; }

    public int StatusCode { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public TimeSpan Delay { get; init; }

    public int Count { get; init; } = 1;
}
