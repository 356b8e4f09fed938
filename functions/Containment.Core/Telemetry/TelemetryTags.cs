namespace Containment.Telemetry;

/// <summary>The attribute names of <see cref="ContainmentTelemetry"/>'s spans.</summary>
public static class TelemetryTags
{
    public const string EventId = "containment.event.id";
    public const string RunId = "containment.run.id";
    public const string Playbook = "containment.playbook";
    public const string AdmissionOutcome = "containment.admission.outcome";
    public const string Activity = "containment.activity";
    public const string CallId = "containment.activity.call_id";
    public const string Retryable = "containment.activity.retryable";
    public const string RecordKind = "containment.ledger.kind";
    public const string RecordId = "containment.ledger.id";
    public const string RecordStatus = "containment.ledger.status";
    public const string AuditEntries = "containment.ledger.audit_entries";
}
