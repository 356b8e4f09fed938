using System.ComponentModel.DataAnnotations;

namespace Containment.Isolation.Drift;

/// <summary>Settings under <c>Containment:Drift</c>.</summary>
public sealed class DriftOptions
{
    public const string Section = "Containment:Drift";

    /// <summary>
    /// The Functions app's schedule for the drift watch, an NCRONTAB expression in an app setting of its own: the timer
    /// resolves <c>%ContainmentDriftSchedule%</c>, and a nested name does not resolve reliably on Linux plans.
    /// </summary>
    public const string FunctionsScheduleSetting = "ContainmentDriftSchedule";

    /// <summary>
    /// A run under way quarantines its pod a moment before it writes its record, and a release restores the pod before
    /// it writes its record: a disagreement younger than this is left to settle. Zero reports every one (a host with no
    /// run under way, as after a test).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Settling { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the local host's drift watch checks every cluster and reports what is new; zero turns it off. The
    /// Functions app runs the watch on <see cref="FunctionsScheduleSetting"/> instead.
    /// </summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The notification channels a disagreement the watch has not reported before goes to; none: it is only logged.</summary>
    public List<string> Channels { get; } = [];
}
