namespace Containment.Alerts.Formats;

/// <summary>The entity kinds the intake reads a target from, whatever a sender calls them.</summary>
internal enum EntityKind
{
    Unknown,
    Pod,
    Namespace,
    Cluster,
    Container,
    ContainerImage,
    AzureResource,
    Host,
}
