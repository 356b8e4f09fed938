namespace Containment.Alerts;

/// <summary>How serious an alert is, in rising order; each detector's own scale maps onto it in one table.</summary>
public enum Severity
{
    Informational,
    Low,
    Medium,
    High,
    Critical,
}
