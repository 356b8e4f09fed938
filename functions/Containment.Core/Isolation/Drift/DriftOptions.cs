using System.ComponentModel.DataAnnotations;

namespace Containment.Isolation.Drift;

/// <summary>Settings under <c>Containment:Drift</c>.</summary>
public sealed class DriftOptions
{
    public const string Section = "Containment:Drift";

    /// <summary>
    /// A run under way quarantines its pod a moment before it writes its record, and a release restores the pod before
    /// it writes its record: a disagreement younger than this is left to settle. Zero reports every one (a host with no
    /// run under way, as after a test).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Settling { get; set; } = TimeSpan.FromMinutes(1);
}
