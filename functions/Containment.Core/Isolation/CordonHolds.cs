using System.Globalization;
using System.Text.Json;
using k8s.Models;

namespace Containment.Isolation;

/// <summary>
/// The pods Containment keeps a node cordoned for. A cordon belongs to the node, not to one pod: runs of several pods
/// may want the same node kept empty, and a person may have cordoned it before any of them. So a node Containment
/// cordoned carries a label to be found by and an annotation naming each pod it is held for, with the start of the
/// run that cordoned it for that pod (<see cref="RunStamp"/>). An uncordon takes away its own pod's hold and makes the
/// node schedulable only when no hold is left; a node cordoned by someone else carries no hold and is never made
/// schedulable by Containment.
/// </summary>
public static class CordonHolds
{
    public const string CordonedLabel = "containment.io/cordoned";
    public const string CordonedValue = "true";
    public const string HoldsAnnotation = "containment.io/cordoned-for";

    /// <summary>How a pod is named in a node's holds: the node is the cluster's, so the namespace and the name.</summary>
    public static string Holder(PodReference pod) => $"{pod.Namespace}/{pod.Pod}";

    /// <summary>
    /// The holds the node carries, by pod, each with the start of the run that made it ("" when not known); empty when
    /// it carries none; null when the annotation is not a map of strings (edited by hand), so nothing can be judged.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? On(V1Node node)
    {
        if (node.Metadata?.Annotations?.TryGetValue(HoldsAnnotation, out var text) != true || string.IsNullOrEmpty(text))
        {
            return new SortedDictionary<string, string>(StringComparer.Ordinal);
        }

        try
        {
            var holds = JsonSerializer.Deserialize<Dictionary<string, string>>(text);
            return holds is null || holds.Values.Any(value => value is null) ? null : new SortedDictionary<string, string>(holds, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether the node carries <paramref name="holder"/>'s hold.</summary>
    public static bool IsHeldFor(V1Node node, string holder) => On(node)?.ContainsKey(holder) == true;

    /// <summary>The annotation's value: the holds as a JSON object in name order, so the same holds always read the same.</summary>
    public static string Text(IReadOnlyDictionary<string, string> holds) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(holds.ToDictionary(), StringComparer.Ordinal));

    /// <summary>The holds with <paramref name="holder"/>'s set to <paramref name="stamp"/>.</summary>
    public static IReadOnlyDictionary<string, string> With(IReadOnlyDictionary<string, string> holds, string holder, string stamp) =>
        new SortedDictionary<string, string>(holds.ToDictionary(), StringComparer.Ordinal) { [holder] = stamp };

    /// <summary>The holds without <paramref name="holder"/>'s.</summary>
    public static IReadOnlyDictionary<string, string> Without(IReadOnlyDictionary<string, string> holds, string holder) =>
        new SortedDictionary<string, string>(holds.Where(hold => hold.Key != holder).ToDictionary(), StringComparer.Ordinal);

    /// <summary>Whether a hold made at <paramref name="stamp"/> was made by a run that started after <paramref name="runStartedAt"/> (false when either is not known).</summary>
    public static bool IsLater(string stamp, DateTimeOffset? runStartedAt) =>
        runStartedAt is { } ours && Parse(stamp) is { } held && held > ours;

    /// <summary>Whether a hold made at <paramref name="stamp"/> should name the run started at <paramref name="runStartedAt"/> instead: it names no run, or an earlier one.</summary>
    public static bool IsBehind(string stamp, DateTimeOffset? runStartedAt) =>
        runStartedAt is { } ours && (Parse(stamp) is not { } held || held < ours);

    /// <summary>The pods holds name, as a message says them.</summary>
    public static string Named(IEnumerable<string> holders) => "pod " + string.Join(", pod ", holders);

    /// <summary>The start of the run a hold names; null when it names none.</summary>
    public static DateTimeOffset? StartOf(string stamp) => Parse(stamp);

    /// <summary>The pod a holder names, as <see cref="Holder"/> wrote it.</summary>
    public static (string Namespace, string Pod)? PodOf(string holder) =>
        holder.Split('/') is [var ns, var pod] && ns.Length > 0 && pod.Length > 0 ? (ns, pod) : null;

    private static DateTimeOffset? Parse(string stamp) =>
        DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
}
