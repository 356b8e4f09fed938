using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>
/// What the ReplicaSet controller does once a pod is written, as writes of its own after the client's (the client's
/// answer does not show them, and a patch carrying the answer's resourceVersion then meets 409, as it can on a cluster
/// whose controller was quick): a pod its ReplicaSet's selector no longer matches is released and a replacement
/// started; an ownerless pod a ReplicaSet's selector matches is adopted; a ReplicaSet with more pods than its replicas
/// deletes the extra ones in the controller's order, and one with fewer starts more (on the first node that takes
/// pods). A ReplicaSet written through the API is scaled too. The selector is read from <c>matchLabels</c>.
/// </summary>
public sealed partial class ObjectStore
{
    /// <summary>The annotation a pod's owner sets to steer a scale-down: lower goes first.</summary>
    public const string PodDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private void ReconcileReplicaSetsLocked(string ns, string podName)
    {
        if (TryGetLocked(ResourceCatalog.Pods, ns, podName) is not { } pod)
        {
            return;
        }

        if (ControllerReference(pod) is { } owner)
        {
            if (ReplicaSetLocked(ns, owner) is { } replicaSet && !SelectorMatches(replicaSet, pod))
            {
                var released = (JsonObject)pod.DeepClone();
                ((JsonArray)released["metadata"]!["ownerReferences"]!).RemoveAt(IndexOfController(released));
                if (released["metadata"]!["ownerReferences"] is JsonArray { Count: 0 })
                {
                    ((JsonObject)released["metadata"]!).Remove("ownerReferences");
                }

                StoreControllerWriteLocked(ns, podName, released);
                ScaleLocked(ns, replicaSet);
            }

            return;
        }

        var adopter = BucketsLocked(ResourceCatalog.ReplicaSets, ns)
            .SelectMany(bucket => bucket.Values)
            .Select(stored => stored.Object)
            .FirstOrDefault(replicaSet => SelectorMatches(replicaSet, pod));
        if (adopter is null)
        {
            return;
        }

        var adopted = (JsonObject)pod.DeepClone();
        var metadata = (JsonObject)adopted["metadata"]!;
        if (metadata["ownerReferences"] is not JsonArray references)
        {
            references = [];
            metadata["ownerReferences"] = references;
        }

        references.Add(new JsonObject
        {
            ["apiVersion"] = ResourceCatalog.ReplicaSets.GroupVersion,
            ["kind"] = ResourceCatalog.ReplicaSets.Kind,
            ["name"] = adopter["metadata"]!["name"]!.DeepClone(),
            ["uid"] = adopter["metadata"]!["uid"]!.DeepClone(),
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        StoreControllerWriteLocked(ns, podName, adopted);
        ScaleLocked(ns, adopter);
    }

    /// <summary>The ReplicaSet that owned a pod just deleted starts a replacement.</summary>
    private void ReconcileDeletedPodLocked(string ns, JsonObject deleted)
    {
        if (ControllerReference(deleted) is { } owner && ReplicaSetLocked(ns, owner) is { } replicaSet)
        {
            ScaleLocked(ns, replicaSet);
        }
    }

    /// <summary>Starts pods from the template, or deletes the ones ranked first, until the ReplicaSet has its replicas.</summary>
    private void ScaleLocked(string ns, JsonObject replicaSet)
    {
        var name = replicaSet["metadata"]!["name"]!.GetValue<string>();
        var uid = replicaSet["metadata"]!["uid"]?.GetValue<string>();
        var wanted = replicaSet["spec"]?["replicas"]?.GetValue<long>() ?? 1;
        var owned = BucketsLocked(ResourceCatalog.Pods, ns)
            .SelectMany(bucket => bucket.Values)
            .Select(stored => stored.Object)
            .Where(pod => ControllerReference(pod) is { } owner && owner.Name == name && (uid is null || owner.Uid is null || owner.Uid == uid))
            .ToList();

        for (var missing = wanted - owned.Count; missing > 0; missing--)
        {
            StartReplacementLocked(ns, replicaSet);
        }

        if (owned.Count <= wanted)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var podsOnNode = owned.GroupBy(NodeName).ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        var order = new ScaleDownOrder(now, pod => podsOnNode[NodeName(pod)]);
        foreach (var pod in owned.Order(order).Take((int)(owned.Count - wanted)).ToList())
        {
            DeleteLocked(ResourceCatalog.Pods, ns, pod["metadata"]!["name"]!.GetValue<string>());
        }
    }

    private void StartReplacementLocked(string ns, JsonObject replicaSet)
    {
        var metadata = replicaSet["metadata"]!;
        var template = replicaSet["spec"]?["template"] as JsonObject ?? [];
        var replacement = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["generateName"] = metadata["name"]!.GetValue<string>() + "-",
                ["labels"] = template["metadata"]?["labels"]?.DeepClone() ?? replicaSet["spec"]?["selector"]?["matchLabels"]?.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = ResourceCatalog.ReplicaSets.GroupVersion,
                    ["kind"] = ResourceCatalog.ReplicaSets.Kind,
                    ["name"] = metadata["name"]!.DeepClone(),
                    ["uid"] = metadata["uid"]?.DeepClone(),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };

        // The scheduler's part, at its simplest: the first node that takes new pods.
        if (BucketsLocked(ResourceCatalog.Nodes, null).SelectMany(bucket => bucket.Values).Select(stored => stored.Object)
            .FirstOrDefault(node => node["spec"]?["unschedulable"]?.GetValue<bool>() != true) is { } schedulable)
        {
            replacement["spec"]!["nodeName"] = schedulable["metadata"]!["name"]!.DeepClone();
        }

        CreateLocked(ResourceCatalog.Pods, ns, replacement);
    }

    private void StoreControllerWriteLocked(string ns, string name, JsonObject pod)
    {
        pod["metadata"]!["resourceVersion"] = NextVersion();
        PutLocked(ResourceCatalog.Pods, ns, name, pod);
    }

    private JsonObject? ReplicaSetLocked(string ns, OwnerReference owner) =>
        TryGetLocked(ResourceCatalog.ReplicaSets, ns, owner.Name) is { } replicaSet
        && (owner.Uid is null || replicaSet["metadata"]?["uid"]?.GetValue<string>() == owner.Uid)
            ? replicaSet
            : null;

    private static bool SelectorMatches(JsonObject replicaSet, JsonObject pod)
    {
        // An empty selector matches nothing here: the API server refuses a ReplicaSet without one.
        if (replicaSet["spec"]?["selector"]?["matchLabels"] is not JsonObject { Count: > 0 } matchLabels)
        {
            return false;
        }

        var labels = Labels(pod);
        return matchLabels.All(required => labels.TryGetValue(required.Key, out var value) && value == required.Value?.ToString());
    }

    private static OwnerReference? ControllerReference(JsonObject pod) =>
        pod["metadata"]?["ownerReferences"] is JsonArray references
        && references.OfType<JsonObject>().FirstOrDefault(IsController) is { } controller
        && controller["kind"]?.GetValue<string>() == ResourceCatalog.ReplicaSets.Kind
        && controller["name"]?.GetValue<string>() is { } name
            ? new OwnerReference(name, controller["uid"]?.GetValue<string>())
            : null;

    private static int IndexOfController(JsonObject pod)
    {
        var references = (JsonArray)pod["metadata"]!["ownerReferences"]!;
        for (var index = 0; index < references.Count; index++)
        {
            if (references[index] is JsonObject reference && IsController(reference))
            {
                return index;
            }
        }

        return -1;
    }

    private static bool IsController(JsonObject reference) => reference["controller"]?.GetValue<bool>() == true;

    private static string NodeName(JsonObject pod) => pod["spec"]?["nodeName"]?.GetValue<string>() ?? "";

    private sealed record OwnerReference(string Name, string? Uid);

    /// <summary>
    /// The ReplicaSet controller's order for a scale-down, first to go first: unscheduled pods; Pending, then Unknown,
    /// then Running; not ready; a lower pod-deletion-cost; more of the ReplicaSet's pods on the same node; ready more
    /// recently; more container restarts; created more recently. Ready and creation times are compared on a log2
    /// scale of their age, and pods in the same step by uid, so pods of about the same age go in no set order.
    /// </summary>
    private sealed class ScaleDownOrder(DateTimeOffset now, Func<JsonObject, int> podsOnSameNode) : IComparer<JsonObject>
    {
        public int Compare(JsonObject? x, JsonObject? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var comparison = Scheduled(x).CompareTo(Scheduled(y));
            if (comparison == 0)
            {
                comparison = PhaseOrdinal(x).CompareTo(PhaseOrdinal(y));
            }

            if (comparison == 0)
            {
                comparison = (ReadySince(x) is not null).CompareTo(ReadySince(y) is not null);
            }

            if (comparison == 0)
            {
                comparison = DeletionCost(x).CompareTo(DeletionCost(y));
            }

            if (comparison == 0)
            {
                comparison = podsOnSameNode(y).CompareTo(podsOnSameNode(x));
            }

            if (comparison == 0 && ReadySince(x) is { } xReady && ReadySince(y) is { } yReady && xReady != yReady)
            {
                comparison = YoungerFirst(x, xReady, y, yReady);
            }

            if (comparison == 0)
            {
                comparison = Restarts(y).CompareTo(Restarts(x));
            }

            if (comparison == 0 && Created(x) is { } xCreated && Created(y) is { } yCreated && xCreated != yCreated)
            {
                comparison = YoungerFirst(x, xCreated, y, yCreated);
            }

            return comparison;
        }

        private int YoungerFirst(JsonObject x, DateTimeOffset xAt, JsonObject y, DateTimeOffset yAt)
        {
            var byStep = AgeStep(xAt).CompareTo(AgeStep(yAt));
            return byStep != 0 ? byStep : string.CompareOrdinal(Uid(x), Uid(y));
        }

        // The whole base-2 logarithm of the age in nanoseconds; -1 for none.
        private long AgeStep(DateTimeOffset at)
        {
            var nanoseconds = (now - at).Ticks * 100.0;
            return nanoseconds > 0 ? (long)Math.Log2(nanoseconds) : -1;
        }

        private static int Scheduled(JsonObject pod) => NodeName(pod).Length > 0 ? 1 : 0;

        private static int PhaseOrdinal(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>() switch
        {
            "Pending" => 0,
            "Running" => 2,
            _ => 1,
        };

        private static DateTimeOffset? ReadySince(JsonObject pod) =>
            pod["status"]?["conditions"] is JsonArray conditions
            && conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") is { } ready
                ? Time(ready["lastTransitionTime"]) ?? DateTimeOffset.MinValue
                : null;

        private static int DeletionCost(JsonObject pod) =>
            pod["metadata"]?["annotations"]?[PodDeletionCostAnnotation]?.GetValue<string>() is { } text
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost)
                ? cost
                : 0;

        private static long Restarts(JsonObject pod) =>
            pod["status"]?["containerStatuses"] is JsonArray statuses
                ? statuses.OfType<JsonObject>().Select(s => s["restartCount"]?.GetValue<long>() ?? 0).DefaultIfEmpty(0).Max()
                : 0;

        private static DateTimeOffset? Created(JsonObject pod) => Time(pod["metadata"]?["creationTimestamp"]);

        private static string Uid(JsonObject pod) => pod["metadata"]?["uid"]?.GetValue<string>() ?? "";

        private static DateTimeOffset? Time(JsonNode? node) =>
            node?.GetValue<string>() is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null;
    }
}
