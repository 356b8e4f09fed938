using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>
/// Defender for Cloud security alerts: the ARM API (<c>properties</c> wrapper, camelCase), continuous export
/// and workflow automation (flat, PascalCase), and rows of Sentinel's SecurityAlert table (PascalCase columns,
/// <c>Entities</c> and <c>ExtendedProperties</c> as JSON strings). Names are matched case-insensitively.
/// </summary>
public sealed class DefenderAlertFormat : IAlertFormat
{
    private static readonly string[] PodKeys = ["pod name", "podName", "pod", "Pod Name"];
    private static readonly string[] NamespaceKeys = ["namespace", "namespace name", "namespaceName"];
    private static readonly string[] ContainerKeys = ["container name", "containerName", "container"];
    private static readonly string[] ImageKeys = ["image name", "imageName", "container image", "image"];
    private static readonly string[] NodeKeys = ["node name", "nodeName", "node"];

    public string Name => "defender";

    public bool CanRead(JsonElement payload)
    {
        var alert = Properties(payload, out _);
        return Json.Has(alert, "alertType") && (Json.Has(alert, "systemAlertId") || Json.Has(alert, "compromisedEntity"));
    }

    public void Read(JsonElement payload, string pointer, AlertSink sink)
    {
        var alert = Properties(payload, out var wrapped);
        var at = wrapped ? JsonPointer.Append(pointer, "properties") : pointer;

        var entities = Json.Structured(alert, "entities", out var entitiesError);
        var extended = Json.Structured(alert, "extendedProperties", out var extendedError);
        if ((entitiesError ?? extendedError) is { } error)
        {
            sink.Problem(at, error);
            return;
        }

        var graph = EntityGraph.Build(entities, JsonPointer.Append(at, FoundName(alert, "entities")));
        if (graph.Problems.Count > 0)
        {
            sink.AddProblems(graph.Problems);
            return;
        }

        var clusters = NamedCluster.AllIn(graph);
        var targets = Targets(alert, graph, clusters, extended ?? default, at, sink);
        if (targets.Count == 0)
        {
            return;
        }

        var alertType = Json.String(alert, "alertType");
        var title = Json.String(alert, "alertDisplayName", "displayName", "alertName");
        var severityName = Json.String(alert, "severity", "alertSeverity", "reportedSeverity");
        if (!SeverityMap.TryMicrosoft(severityName, out var severity))
        {
            sink.Problem(JsonPointer.Append(at, "severity"), $"{AlertProblem.Quote(severityName)} is not a Defender severity (Informational, Low, Medium, High)");
            return;
        }

        var time = Json.Time(alert, "startTimeUtc", "startTime", "timeGeneratedUtc", "timeGenerated", "processingEndTime");
        if (time is null)
        {
            sink.Problem(at, "no readable time in the alert (looked in startTimeUtc, StartTime, timeGeneratedUtc, TimeGenerated)");
            return;
        }

        var id = Json.String(alert, "systemAlertId") ?? Json.String(payload, "name") ?? ContentId.Of("defender", payload);
        var alertCluster = ClusterOfAlert(alert, clusters);
        foreach (var (target, namesAt, noPod) in targets)
        {
            sink.Add(new Alert
            {
                // Several pods in one alert share its id; the pod (and its cluster, when there are several) keeps them apart.
                Id = targets.Count == 1 ? id : PodAlertId.Of(id, target, clusters),
                Source = "defender",
                Category = CategoryMap.ForDefender(alertType, title, Json.String(alert, "intent", "tactics")),
                Severity = severity,
                Time = time.Value,
                Title = title ?? alertType ?? string.Empty,
                Description = Json.String(alert, "description"),
                Rule = alertType,
                Target = target with
                {
                    ClusterResourceId = target.ClusterResourceId ?? alertCluster.ResourceId,
                    Cluster = target.Cluster ?? alertCluster.Name,
                },
                NothingToIsolate = noPod,
                Raw = payload.Clone(),
            },
            AlertPointers.At(pointer, namesAt));
        }
    }

    /// <summary>
    /// The cluster the alert is about (<c>resourceIdentifiers</c>, the compromised entity), for what the entities
    /// leave out; only when they name at most one cluster, as the alert's may be another of them than the pod's.
    /// </summary>
    private static (string? Name, string? ResourceId) ClusterOfAlert(JsonElement alert, IReadOnlyList<NamedCluster> clusters) =>
        clusters.Count > 1
            ? default
            // For Kubernetes alerts Defender names the cluster as the compromised entity.
            : (Json.String(alert, "compromisedEntity"), ClusterResourceId(alert));

    /// <summary>
    /// Each pod the alert names, with where its names were read (its entity, or the extended properties); or, for an
    /// alert about the cluster that names no pod (a dashboard exposed, a role granted), one target without a pod, and why.
    /// </summary>
    private static List<(AlertTarget Target, string NamesAt, string? NoPod)> Targets(
        JsonElement alert, EntityGraph graph, IReadOnlyList<NamedCluster> clusters, JsonElement extended, string at, AlertSink sink)
    {
        var targets = new List<(AlertTarget, string, string?)>();
        var pods = graph.OfKind(EntityKind.Pod).ToList();
        foreach (var pod in pods)
        {
            var target = EntityTargets.For(graph, pod, clusters, out var problem);
            if (target is null)
            {
                sink.Problem(pod.Pointer, problem!);
                return [];
            }

            targets.Add((DescribedBy(extended, target, pods.Count) is { } described
                ? target with
                {
                    Node = target.Node ?? Json.String(described, NodeKeys),
                    Container = target.Container ?? Json.String(described, ContainerKeys),
                }
                : target, pod.Pointer, null));
        }

        if (targets.Count > 0)
        {
            return targets;
        }

        var podName = Json.String(extended, PodKeys);
        var ns = Json.String(extended, NamespaceKeys);
        var container = Json.String(extended, ContainerKeys);

        // About the cluster as a whole only when it names no namespace and no container either: one that does is about a
        // workload whose pod it failed to name, and someone must look.
        if (podName is null && (ns is not null || container is not null || graph.OfKind(EntityKind.Namespace).Any() || graph.OfKind(EntityKind.Container).Any()))
        {
            sink.Problem(at, "no pod named in the alert (looked in entities, extendedProperties), though it names a namespace or a container");
            return [];
        }

        if (podName is not null && ns is null)
        {
            sink.Problem(at, $"no namespace for pod {AlertProblem.Quote(podName)} (looked in entities, extendedProperties)");
            return [];
        }

        var noPod = podName is null ? "the alert names no pod, namespace or container (looked in entities, extendedProperties): an alert about the cluster; only pods are isolated" : null;
        var only = clusters is [var one] ? one : null;
        return
        [
            (new AlertTarget
            {
                Cluster = only?.Name,
                ClusterResourceId = only?.ResourceId,
                ClusterCandidates = NamedCluster.Candidates(only, clusters),
                Namespace = ns ?? string.Empty,
                Pod = podName ?? string.Empty,
                Container = container,
                Image = Json.String(extended, ImageKeys),
                Node = Json.String(extended, NodeKeys),
            }, JsonPointer.Append(at, FoundName(alert, "extendedProperties")), noPod),
        ];
    }

    /// <summary>
    /// The extended properties when they describe <paramref name="target"/>: they name one pod, so their container
    /// and node are that pod's, not every pod's of an alert that names several.
    /// </summary>
    private static JsonElement? DescribedBy(JsonElement extended, AlertTarget target, int pods)
    {
        var pod = Json.String(extended, PodKeys);
        var ns = Json.String(extended, NamespaceKeys);
        return pod is null ? (pods == 1 ? extended : null)
            : pod == target.Pod && (ns is null || ns == target.Namespace) ? extended
            : null;
    }

    /// <summary>The AKS resource id from <c>resourceIdentifiers</c> or the table's resource id columns.</summary>
    private static string? ClusterResourceId(JsonElement alert)
    {
        var identifiers = Json.Structured(alert, "resourceIdentifiers", out _);
        if (identifiers is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var identifier in list.EnumerateArray())
            {
                if (string.Equals(Json.String(identifier, "type"), "AzureResource", StringComparison.OrdinalIgnoreCase)
                    && Json.String(identifier, "azureResourceId", "id") is { } resourceId)
                {
                    return resourceId;
                }
            }
        }

        return Json.String(alert, "azureResourceId", "resourceId");
    }

    private static JsonElement Properties(JsonElement payload, out bool wrapped)
    {
        wrapped = Json.TryGet(payload, "properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        return wrapped ? properties : payload;
    }

    /// <summary>The property name as the sender spelled it, so pointers match the body.</summary>
    internal static string FoundName(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            // A default JsonProperty throws on Name, so an absent property cannot go through FirstOrDefault.
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Name;
                }
            }
        }

        return name;
    }
}
