namespace Containment.Intake;

/// <summary>What happened to one alert on arrival.</summary>
public enum AdmissionOutcome
{
    /// <summary>A run started for its pod.</summary>
    Started,

    /// <summary>Its pod is already being handled: the alert joined that run.</summary>
    Joined,

    /// <summary>Delivered before, and the run it started has ended: nothing is done again (a late at-least-once redelivery).</summary>
    Duplicate,

    /// <summary>Stored as a security event with status Ignored (no playbook takes it, or its cluster is unknown).</summary>
    Ignored,
}
