namespace Containment.Notifications;

/// <summary>Settings under <c>Containment:Notifications</c>: the channels by name and how sends are retried.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Containment:Notifications";

    /// <summary>Channels by name, compared without case.</summary>
    public Dictionary<string, ChannelOptions> Channels { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Tries per channel, the first included.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter. A Retry-After answer wins.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most <see cref="AttemptTimeout"/> may be.</summary>
    public static readonly TimeSpan LongestAttempt = TimeSpan.FromMinutes(10);

    /// <summary>The longest a single attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Problems found while reading the settings (an unknown or missing channel type).</summary>
    public List<string> ReadProblems { get; } = [];

    /// <summary>Configuration problems that stop the host from starting.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in ReadProblems)
        {
            yield return problem;
        }

        if (MaxAttempts is < 1 or > 10)
        {
            yield return $"{Section}:{nameof(MaxAttempts)} must be between 1 and 10";
        }

        if (RetryDelay < TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(RetryDelay)} and {nameof(AttemptTimeout)} must be positive";
        }

        // Past these, a send is no longer news; past about 24.8 days HttpClient refuses the timeout itself.
        if (RetryDelay > NotificationRetry.MaxDelay)
        {
            yield return $"{Section}:{nameof(RetryDelay)} must be at most {NotificationRetry.MaxDelay:c}";
        }

        if (AttemptTimeout > LongestAttempt)
        {
            yield return $"{Section}:{nameof(AttemptTimeout)} must be at most {LongestAttempt:c}";
        }

        foreach (var problem in Channels.Values.SelectMany(channel => channel.Validate()))
        {
            yield return problem;
        }
    }
}
