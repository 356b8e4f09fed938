using System.Diagnostics;

namespace Containment.Telemetry;

/// <summary>
/// The product's trace spans, on one <see cref="ActivitySource"/> that a host adds to its OpenTelemetry
/// tracer provider (<c>AddSource(ContainmentTelemetry.SourceName)</c>). With no listener a span costs nothing.
/// </summary>
public static class ContainmentTelemetry
{
    public const string SourceName = "Containment";

    /// <summary>One alert taken in: cluster, playbook, event stored, run started or joined.</summary>
    public const string AlertAdmit = "alert.admit";

    /// <summary>One attempt of a run's activity (isolate, notify, …).</summary>
    public const string RunActivity = "run.activity";

    /// <summary>One ledger record written, with the audit entries written beside it.</summary>
    public const string LedgerWrite = "ledger.write";

    public static readonly ActivitySource Source = new(SourceName, typeof(ContainmentTelemetry).Assembly.GetName().Version?.ToString());
}
