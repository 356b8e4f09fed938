using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>Reads the workload of each pod entity in an <see cref="EntityGraph"/>.</summary>
internal static class EntityTargets
{
    /// <summary>
    /// The target of <paramref name="pod"/>: its namespace (linked, inline, or the graph's only namespace), its
    /// cluster and AKS resource id (<see cref="ClusterOf"/>), a container of the pod and its image, the node.
    /// </summary>
    public static AlertTarget? For(EntityGraph graph, Entity pod, out string? problem)
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
            problem = $"no namespace for pod '{podName}' (looked in the pod entity and namespace entities)";
            return null;
        }

        var clusters = NamedCluster.AllIn(graph);
        var cluster = ClusterOf(graph, pod, ns, clusters);
        var container = ContainerOf(graph, pod);
        var image = container is null ? null : graph.Follow(container.Fields, "image");

        return new AlertTarget
        {
            Cluster = cluster?.Name,
            ClusterResourceId = cluster?.ResourceId,
            ClusterCandidates = cluster is null && clusters.Count > 1 ? [.. clusters.Select(c => c.Label)] : null,
            Namespace = nsName,
            Pod = podName,
            Container = container?.Name,
            Image = image is null ? null : Json.String(image.Fields, "imageId", "name", "friendlyName"),
            Node = graph.OfKind(EntityKind.Host).Select(host => Json.String(host.Fields, "hostName", "name", "friendlyName"))
                .FirstOrDefault(name => name is not null),
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

    private static Entity? ContainerOf(EntityGraph graph, Entity pod)
    {
        // Either the pod lists its containers, or each container names its pod.
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
        return containers.FirstOrDefault(c => graph.Follow(c.Fields, "pod")?.Name == pod.Name)
            ?? (graph.OfKind(EntityKind.Pod).Count() == 1 ? containers.FirstOrDefault() : null);
    }
}
