namespace Containment.Alerts.Formats;

/// <summary>An AKS cluster an alert's entities name: by a cluster entity, an AKS resource, or both.</summary>
internal sealed record NamedCluster(string? Name, string? ResourceId)
{
    private const string ManagedClusters = "/managedClusters/";

    /// <summary>How the cluster is told apart from others the alert names: its resource id, else its name.</summary>
    public string Label => ResourceId ?? Name ?? string.Empty;

    /// <summary>The cluster's name, or the last segment of its resource id.</summary>
    public string? ShortName => Name ?? NameIn(ResourceId);

    /// <summary>
    /// Every cluster the entities name, each once: a cluster entity and the AKS resource it links to (or one whose
    /// id ends in its name) are one cluster.
    /// </summary>
    public static IReadOnlyList<NamedCluster> AllIn(EntityGraph graph)
    {
        var found = new List<NamedCluster>();
        foreach (var cluster in graph.OfKind(EntityKind.Cluster))
        {
            Add(found, Of(graph, cluster));
        }

        foreach (var resource in graph.OfKind(EntityKind.AzureResource))
        {
            if (EntityTargets.ResourceId(resource) is { } id && IsManagedCluster(id))
            {
                Add(found, new NamedCluster(null, id));
            }
        }

        return found;
    }

    /// <summary>The clusters a pod may be in when its own is not known and the alert names several; null otherwise.</summary>
    public static IReadOnlyList<string>? Candidates(NamedCluster? chosen, IReadOnlyList<NamedCluster> all) =>
        chosen is null && all.Count > 1 ? [.. all.Select(cluster => cluster.Label)] : null;

    /// <summary>A cluster entity with the AKS resource it links to.</summary>
    public static NamedCluster Of(EntityGraph graph, Entity cluster)
    {
        var resource = graph.Follow(cluster.Fields, "cloudResource", "azureResource", "resource");
        return new NamedCluster(cluster.Name, resource is null ? null : EntityTargets.ResourceId(resource));
    }

    public bool IsSame(NamedCluster other) =>
        ResourceId is not null && other.ResourceId is not null
            ? Clusters.ClusterLookup.SameResourceId(ResourceId, other.ResourceId)
            : ShortName is not null && string.Equals(ShortName, other.ShortName, StringComparison.OrdinalIgnoreCase);

    private static void Add(List<NamedCluster> found, NamedCluster cluster)
    {
        if (cluster.Name is null && cluster.ResourceId is null)
        {
            return;
        }

        var index = found.FindIndex(cluster.IsSame);
        if (index < 0)
        {
            found.Add(cluster);
        }
        else
        {
            found[index] = new NamedCluster(found[index].Name ?? cluster.Name, found[index].ResourceId ?? cluster.ResourceId);
        }
    }

    private static bool IsManagedCluster(string resourceId) => resourceId.Contains(ManagedClusters, StringComparison.OrdinalIgnoreCase);

    private static string? NameIn(string? resourceId)
    {
        var at = resourceId?.LastIndexOf(ManagedClusters, StringComparison.OrdinalIgnoreCase) ?? -1;
        return at < 0 ? null : resourceId![(at + ManagedClusters.Length)..].TrimEnd('/');
    }
}
