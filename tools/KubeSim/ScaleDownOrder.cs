using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>
/// The ReplicaSet controller's order for a scale-down, first to go first: unscheduled pods; Pending, then Unknown,
/// then Running; not ready; a lower pod-deletion-cost; more of the ReplicaSet's pods on the same node; ready more
/// recently; more container restarts; created more recently. Ready and creation times are compared on a log2
/// scale of their age, and pods in the same step by uid, so pods of about the same age go in no set order.
/// </summary>
public sealed class ScaleDownOrder(DateTimeOffset now, Func<JsonObject, int> podsOnSameNode) : IComparer<JsonObject>
{
    /// <summary>The annotation a pod's owner sets to steer a scale-down: lower goes first.</summary>
    public const string PodDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

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

        if (comparison == 0 && Created(x) is var xCreated && Created(y) is var yCreated && xCreated != yCreated)
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

    // The whole base-2 logarithm of the age in nanoseconds; -1 for none (a time not given counts as none: first to go).
    private long AgeStep(DateTimeOffset at)
    {
        var nanoseconds = (now - at).Ticks * 100.0;
        return nanoseconds > 0 ? (long)Math.Log2(nanoseconds) : -1;
    }

    private static int Scheduled(JsonObject pod) => ObjectStore.NodeName(pod).Length > 0 ? 1 : 0;

    private static int PhaseOrdinal(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>() switch
    {
        "Pending" => 0,
        "Running" => 2,
        _ => 1,
    };

    private static DateTimeOffset? ReadySince(JsonObject pod) =>
        pod["status"]?["conditions"] is JsonArray conditions
        && conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") is { } ready
            ? Time(ready["lastTransitionTime"]) ?? DateTimeOffset.MaxValue
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

    private static DateTimeOffset Created(JsonObject pod) => Time(pod["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MaxValue;

    private static string Uid(JsonObject pod) => pod["metadata"]?["uid"]?.GetValue<string>() ?? "";

    private static DateTimeOffset? Time(JsonNode? node) =>
        node?.GetValue<string>() is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
}
