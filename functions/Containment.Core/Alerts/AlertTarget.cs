namespace Containment.Alerts;

/// <summary>
/// The workload an alert is about. The cluster is named by its alias, its AKS resource id, or both;
/// the cluster registry resolves either to a connection.
/// </summary>
public sealed record AlertTarget
{
    public string? Cluster { get; init; }

    public string? ClusterResourceId { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public string? Container { get; init; }

    public string? Image { get; init; }

    public string? Node { get; init; }

    /// <summary>The cluster as the alert names it: the alias when known, else the resource id.</summary>
    public string ClusterName => Cluster ?? ClusterResourceId ?? string.Empty;
}
