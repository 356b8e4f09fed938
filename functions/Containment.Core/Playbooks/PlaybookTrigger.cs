using Containment.Alerts;

namespace Containment.Playbooks;

/// <summary>Which alerts a playbook takes. Empty lists mean "any".</summary>
public sealed record PlaybookTrigger
{
    /// <summary>A manual playbook takes no alerts; the HTTP API starts it by name (isolate or release by hand).</summary>
    public bool Manual { get; init; }

    public IReadOnlyList<AlertCategory> Categories { get; init; } = [];

    public Severity MinSeverity { get; init; } = Severity.Informational;

    public NameFilter? Clusters { get; init; }

    public NameFilter? Namespaces { get; init; }

    /// <summary>Every label here must be on the pod with this value (when the alert carries the pod's labels).</summary>
    public IReadOnlyDictionary<string, string>? PodLabels { get; init; }
}
