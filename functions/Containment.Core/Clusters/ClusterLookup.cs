namespace Containment.Clusters;

/// <summary>Finds a configured cluster by a name given for it: its alias or its AKS resource id.</summary>
public static class ClusterLookup
{
    /// <summary>
    /// By alias, then by AKS resource id (case and a trailing slash aside). An empty name means the only cluster
    /// there is, when there is one. Null when none matches.
    /// </summary>
    public static ConfiguredCluster? Find(IReadOnlyDictionary<string, ClusterSettings> clusters, string cluster)
    {
        if (string.IsNullOrWhiteSpace(cluster))
        {
            return clusters.Count == 1 ? new ConfiguredCluster(clusters.Keys.Single(), clusters.Values.Single()) : null;
        }

        foreach (var (alias, settings) in clusters)
        {
            if (string.Equals(alias, cluster, StringComparison.OrdinalIgnoreCase))
            {
                return new ConfiguredCluster(alias, settings);
            }
        }

        foreach (var (alias, settings) in clusters)
        {
            if (settings.ResourceId is { } id && SameResourceId(id, cluster))
            {
                return new ConfiguredCluster(alias, settings);
            }
        }

        return null;
    }

    /// <summary>Whether two AKS resource ids name one cluster: compared without case, a trailing slash or not.</summary>
    public static bool SameResourceId(string first, string second) =>
        string.Equals(first.TrimEnd('/'), second.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}

/// <summary>A cluster of <c>Containment:Clusters</c>, under its alias.</summary>
public sealed record ConfiguredCluster(string Alias, ClusterSettings Settings);
