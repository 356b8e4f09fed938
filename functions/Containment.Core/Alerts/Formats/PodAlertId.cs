namespace Containment.Alerts.Formats;

/// <summary>The id of one pod's alert, when one alert or incident names several pods and they share its id.</summary>
internal static class PodAlertId
{
    /// <summary>
    /// <c>{id}/{namespace}/{pod}</c>; <c>{id}/{cluster}/{namespace}/{pod}</c> when the alert names more than one cluster,
    /// so shop/db-0 in two clusters are two events rather than one and its redelivery. The cluster goes in only
    /// then, so the ids of alerts about one cluster stay what they were and a redelivery across an upgrade is
    /// still known as one. A pod whose cluster is unknown keeps the short id (its alert is ignored).
    /// </summary>
    public static string Of(string id, AlertTarget target, IReadOnlyList<NamedCluster> clusters) =>
        clusters.Count > 1 && Cluster(target, clusters) is { } cluster
            ? $"{id}/{cluster}/{target.Namespace}/{target.Pod}"
            : $"{id}/{target.Namespace}/{target.Pod}";

    /// <summary>The cluster's name; its resource id when another cluster of the alert has that name too.</summary>
    private static string? Cluster(AlertTarget target, IReadOnlyList<NamedCluster> clusters)
    {
        var own = new NamedCluster(target.Cluster, target.ClusterResourceId);
        var name = own.ShortName;
        return name is not null && clusters.Count(other => string.Equals(other.ShortName, name, StringComparison.OrdinalIgnoreCase)) > 1
            ? own.ResourceId ?? name
            : name;
    }
}
