namespace Containment.Alerts;

/// <summary>How serious an alert is, in rising order; detectors' own scales map onto it in <see cref="SeverityMap"/>.</summary>
public enum Severity
{
    Informational,
    Low,
    Medium,
    High,
    Critical,
}
