using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>Reads the workload of each pod entity in an <see cref="EntityGraph"/>.</summary>
internal static class EntityTargets
{
    /// <summary>
    /// The target of <paramref name="pod"/>: its namespace (linked, inline, or the graph's only namespace), its
    /// cluster and AKS resource id (<see cref="ClusterOf"/>), a container of the pod and its image, its node.
    /// </summary>
    /// <param name="clusters">The clusters the graph names (<see cref="NamedCluster.AllIn"/>), read once for all its pods.</param>
    public static AlertTarget? For(EntityGraph graph, Entity pod, IReadOnlyList<NamedCluster> clusters, out string? problem)
    {
        problem = null;
        var podName = pod.Name;
        if (podName is null)
        {
            problem = "the pod entity has no name";
            return null;
        }

        var ns = graph.Follow(pod.Fields, "namespace") ?? Only(graph, EntityKind.Namespace);
        var nsName = ns?.Name ?? Json.String(pod.Fields, "namespace", "namespaceName");
        if (nsName is null)
        {
            problem = $"no namespace for pod {AlertProblem.Quote(podName)} (looked in the pod entity and namespace entities)";
            return null;
        }

        var cluster = ClusterOf(graph, pod, ns, clusters);
        var container = ContainerOf(graph, pod, nsName);
        var image = container is null ? null : graph.Follow(container.Fields, "image");

        return new AlertTarget
        {
            Cluster = cluster?.Name,
            ClusterResourceId = cluster?.ResourceId,
            ClusterCandidates = NamedCluster.Candidates(cluster, clusters),
            Namespace = nsName,
            Pod = podName,
            Container = container?.Name,
            Image = image is null ? null : Json.String(image.Fields, "imageId", "name", "friendlyName"),
            Node = NodeOf(graph, pod, container),
        };
    }

    /// <summary>
    /// The pod's cluster: the one its namespace or the pod itself links to; else the alert's cluster when it names
    /// exactly one. Sentinel's pod entities link to no cluster, so an incident naming pods in two clusters leaves
    /// each pod's unknown, and a pod of that name in the first cluster listed is not taken for it (StatefulSet
    /// pods such as db-0 exist in both).
    /// </summary>
    private static NamedCluster? ClusterOf(EntityGraph graph, Entity pod, Entity? ns, IReadOnlyList<NamedCluster> clusters)
    {
        var own = (ns is null ? null : graph.Follow(ns.Fields, "cluster")) ?? graph.Follow(pod.Fields, "cluster");
        if (own is null)
        {
            return clusters.Count == 1 ? clusters[0] : null;
        }

        // The alert's entry for it may add the resource id an AKS resource entity gives.
        var named = NamedCluster.Of(graph, own);
        return clusters.FirstOrDefault(named.IsSame) ?? named;
    }

    public static string? ResourceId(Entity resource) => Json.String(resource.Fields, "resourceId", "azureResourceId");

    private static Entity? Only(EntityGraph graph, EntityKind kind)
    {
        var all = graph.OfKind(kind).Take(2).ToList();
        return all.Count == 1 ? all[0] : null;
    }

    /// <summary>
    /// A container of the pod: one the pod lists, else one that links to it (the same entity, or a pod of the same
    /// namespace and name: ns1/web's container is not ns2/web's), else a container of an alert about one pod.
    /// </summary>
    private static Entity? ContainerOf(EntityGraph graph, Entity pod, string nsName)
    {
        if (Json.TryGet(pod.Fields, "containers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (graph.Resolve(item) is { Kind: EntityKind.Container } container)
                {
                    return container;
                }
            }
        }

        var containers = graph.OfKind(EntityKind.Container).ToList();
        return containers.FirstOrDefault(c => graph.Follow(c.Fields, "pod") is { } linked && IsPod(graph, linked, pod, nsName))
            ?? (graph.OfKind(EntityKind.Pod).Count() == 1 ? containers.FirstOrDefault() : null);
    }

    /// <summary>
    /// Whether a container's pod link names <paramref name="pod"/>: the entity itself, or an inline pod of its
    /// namespace and name; one that gives no namespace, only when no other pod of the alert has that name.
    /// </summary>
    private static bool IsPod(EntityGraph graph, Entity linked, Entity pod, string nsName)
    {
        if (ReferenceEquals(linked, pod))
        {
            return true;
        }

        if (linked.Name != pod.Name)
        {
            return false;
        }

        var linkedNs = graph.Follow(linked.Fields, "namespace")?.Name ?? Json.String(linked.Fields, "namespace", "namespaceName");
        return linkedNs is null
            ? graph.OfKind(EntityKind.Pod).Count(other => other.Name == pod.Name) == 1
            : linkedNs == nsName;
    }

    /// <summary>The host the pod (or its container) links to; else the alert's host when it names exactly one.</summary>
    private static string? NodeOf(EntityGraph graph, Entity pod, Entity? container)
    {
        var host = graph.Follow(pod.Fields, "host", "node")
            ?? (container is null ? null : graph.Follow(container.Fields, "host", "node"))
            ?? Only(graph, EntityKind.Host);
        return host is null ? null : Json.String(host.Fields, "hostName", "name", "friendlyName");
    }
}
