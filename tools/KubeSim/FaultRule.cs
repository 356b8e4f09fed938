namespace KubeSim;

/// <summary>
/// Fails or delays requests whose method and path match: the next <see cref="Count"/> of them, or, with a
/// <see cref="Probability"/>, each one with that chance for as long as the rule stays. A status of 0 with a
/// delay only delays.
/// </summary>
public sealed record FaultRule
{
    /// <summary>Any method matches <c>*</c>.</summary>
    public const string AnyMethod = "*";

    /// <summary>An HTTP method, or <see cref="AnyMethod"/>.</summary>
    public required string Method { get; init; }

    public required string PathPrefix { get; init; }

    public int StatusCode { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Hold the request until this task completes (after <see cref="Delay"/>, if any), as a slow API server would: for
    /// tests that act while a request is held, then let it go. Held before it is carried out, or with
    /// <see cref="DelayResponse"/> only its answer.
    /// </summary>
    public Task? Until { get; init; }

    /// <summary>
    /// Carry the request out first and hold back only its answer for <see cref="Delay"/>: a change that
    /// is applied while the client times out, as when a reply is lost. Otherwise nothing is applied.
    /// </summary>
    public bool DelayResponse { get; init; }

    /// <summary>
    /// Close the connection without an answer (after <see cref="Delay"/>, if any), as when the API server restarts
    /// or a load balancer resets the connection: the client sees a transport error, and nothing is applied.
    /// </summary>
    public bool ResetConnection { get; init; }

    /// <summary>How many matching requests the rule takes; ignored when <see cref="Probability"/> is set.</summary>
    public int Count { get; init; } = 1;

    /// <summary>
    /// The chance (0..1) that a matching request meets the fault. The rule then stays until removed, and a
    /// request it spares goes on to the next rule, so rules of 0.1, 0.1/0.9 and 0.1/0.8 give three faults of
    /// 10% each.
    /// </summary>
    public double? Probability { get; init; }

    /// <summary>Seeds the rule's own random draws, so the same sequence of requests meets the same faults.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Method);
        ArgumentNullException.ThrowIfNull(PathPrefix);
        if (Probability is { } p && (double.IsNaN(p) || p < 0 || p > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Probability), p, "a probability is between 0 and 1");
        }

        if (Probability is null && Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), Count, "a counted fault takes at least one request");
        }

        if (StatusCode == 0 && Delay <= TimeSpan.Zero && Until is null && !ResetConnection)
        {
            throw new ArgumentException("a fault answers with a status code, delays, holds or resets the connection", nameof(StatusCode));
        }

        if (ResetConnection && (StatusCode != 0 || DelayResponse))
        {
            throw new ArgumentException("a reset connection carries no answer; it takes no status code and no delayed response", nameof(ResetConnection));
        }

        if (StatusCode != 0 && DelayResponse)
        {
            throw new ArgumentException("a delayed response carries the real answer; it takes no status code", nameof(DelayResponse));
        }
    }

    internal bool Matches(string method, string path) =>
        (Method == AnyMethod || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && path.StartsWith(PathPrefix, StringComparison.Ordinal);
}
