using System.ComponentModel.DataAnnotations;

namespace Containment.Runs.Embedded;

/// <summary>Settings under <c>Containment:Runtime</c> for the embedded durable runtime.</summary>
public sealed class EmbeddedRuntimeOptions
{
    public const string Section = "Containment:Runtime";

    /// <summary>Prefix of the runtime's table name (letters and digits).</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,39}$")]
    public string TablePrefix { get; set; } = "Containment";

    /// <summary>
    /// How many runs are driven at once; the others wait their turn. A run gives its slot to a waiting one after each
    /// step and waits again, so that under load no run's later steps hold back other runs' isolations.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentRuns { get; set; } = 32;

    /// <summary>
    /// How many unfinished runs keep their latest state (a few kilobytes each) in memory, which saves the
    /// read when their event or timer comes; runs past it are read from the table.
    /// </summary>
    [Range(0, 1_000_000)]
    public int CachedRuns { get; set; } = 10_000;

    /// <summary>How often a state write that lost a race to another process is tried again.</summary>
    [Range(1, 100)]
    public int MaxConcurrencyRetries { get; set; } = 20;

    /// <summary>How long a run whose drive failed waits before it is driven again; doubled after each failure in a row.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan DriveRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a host's hold on the runtime's tables lasts unless renewed (<see cref="RuntimeLease"/>): how long another
    /// host waits to take over from one that stopped without letting go, on another machine, plus a sixth of it as a
    /// margin; the holder drives no run from a sixth of it before its hold ends. Renewed every third of it, each renewal
    /// given a third of it to go through, and one that failed tried again a thirtieth of it later.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00")]
    public TimeSpan LeaseTerm { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between drives of a run that keeps failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxDriveRetryDelay { get; set; } = TimeSpan.FromMinutes(1);
}
