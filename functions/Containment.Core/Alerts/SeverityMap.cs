using System.Collections.Frozen;

namespace Containment.Alerts;

/// <summary>
/// Every detector's severity scale mapped onto <see cref="Severity"/>, in one place. A reverse shell is never
/// benign whatever its severity here: that rule lives in the playbooks (they take reverse-shell at any
/// severity), not in this mapping.
/// </summary>
public static class SeverityMap
{
    /// <summary>Falco priorities (syslog levels) → severity.</summary>
    public static FrozenDictionary<string, Severity> FalcoPriorities { get; } = new Dictionary<string, Severity>
    {
        ["Emergency"] = Severity.Critical,
        ["Alert"] = Severity.Critical,
        ["Critical"] = Severity.Critical,
        ["Error"] = Severity.High,
        ["Warning"] = Severity.Medium,
        ["Notice"] = Severity.Low,
        ["Informational"] = Severity.Informational,
        ["Info"] = Severity.Informational,
        ["Debug"] = Severity.Informational,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Defender for Cloud and Sentinel severities → severity (the same words; Critical if ever sent).</summary>
    public static FrozenDictionary<string, Severity> Microsoft { get; } = new Dictionary<string, Severity>
    {
        ["Informational"] = Severity.Informational,
        ["Low"] = Severity.Low,
        ["Medium"] = Severity.Medium,
        ["High"] = Severity.High,
        ["Critical"] = Severity.Critical,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static bool TryFalco(string? priority, out Severity severity) =>
        FalcoPriorities.TryGetValue(priority?.Trim() ?? string.Empty, out severity);

    public static bool TryMicrosoft(string? severityName, out Severity severity) =>
        Microsoft.TryGetValue(severityName?.Trim() ?? string.Empty, out severity);
}
