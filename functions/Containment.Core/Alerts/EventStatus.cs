namespace Containment.Alerts;

/// <summary>The processing status of a stored security event.</summary>
public enum EventStatus
{
    Unprocessed,
    Processed,
    Ignored,
}
