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
                var releasedMetadata = (JsonObject)released["metadata"]!;
                var others = ((JsonArray)releasedMetadata["ownerReferences"]!).OfType<JsonObject>().Where(reference => !IsController(reference)).Select(reference => reference.DeepClone()).ToArray();
                releasedMetadata.Remove("ownerReferences");
                if (others.Length > 0)
                {
                    releasedMetadata["ownerReferences"] = new JsonArray(others);
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

        references.Add(ControllerReferenceTo(adopter));
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
                ["ownerReferences"] = new JsonArray(ControllerReferenceTo(replicaSet)),
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

    // As the controller writes it on the pods it makes or takes.
    private static JsonObject ControllerReferenceTo(JsonObject replicaSet) => new()
    {
        ["apiVersion"] = ResourceCatalog.ReplicaSets.GroupVersion,
        ["kind"] = ResourceCatalog.ReplicaSets.Kind,
        ["name"] = replicaSet["metadata"]!["name"]!.DeepClone(),
        ["uid"] = replicaSet["metadata"]!["uid"]?.DeepClone(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private static bool IsController(JsonObject reference) => reference["controller"]?.GetValue<bool>() == true;

    internal static string NodeName(JsonObject pod) => pod["spec"]?["nodeName"]?.GetValue<string>() ?? "";

    private sealed record OwnerReference(string Name, string? Uid);
}
