namespace Containment.Alerts;

/// <summary>
/// The workload an alert is about. The cluster is named by its alias, its AKS resource id, or both;
/// the cluster registry resolves either to a connection.
/// </summary>
public sealed record AlertTarget
{
    public string? Cluster { get; init; }

    public string? ClusterResourceId { get; init; }

    /// <summary>
    /// The clusters the alert names (AKS resource ids, else names) when it names several and not which one holds
    /// the pod; set only then, with <see cref="Cluster"/> and <see cref="ClusterResourceId"/> left unset, so the
    /// pod is not looked for in a cluster picked at random.
    /// </summary>
    public IReadOnlyList<string>? ClusterCandidates { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public string? Container { get; init; }

    public string? Image { get; init; }

    public string? Node { get; init; }

    /// <summary>The cluster as the alert names it: the alias when known, else the resource id.</summary>
    public string ClusterName => Cluster ?? ClusterResourceId ?? string.Empty;
}
