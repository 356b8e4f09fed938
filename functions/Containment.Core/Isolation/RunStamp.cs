using System.Globalization;
using k8s.Models;

namespace Containment.Isolation;

/// <summary>
/// Which run last isolated a pod, by its start, in an annotation the pod carries while it is quarantined. Under
/// Durable Functions an activity already running goes on after its run is ended (a release by hand, a takeover), so a
/// later run of the pod may act on it meanwhile. Every relabel and every restore is a patch that carries the pod's
/// resourceVersion, and each reads this annotation first: a call of an earlier run stops rather than undo what a later
/// run did. A release removes the annotation with the saved labels, so the pod is given back exactly.
/// </summary>
public static class RunStamp
{
    public static string? Of(DateTimeOffset? runStartedAt) =>
        runStartedAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// The start of the run the pod's annotation names while the pod is quarantined (carries its saved labels); null
    /// otherwise. A release takes the annotation away with the saved labels, so one on a pod that is not quarantined was
    /// not left by a run (copied with a manifest, or set by hand), and it must not stop an isolation.
    /// </summary>
    public static DateTimeOffset? On(V1Pod pod) =>
        pod.Metadata?.Annotations is { } annotations && annotations.ContainsKey(QuarantineNames.SavedLabelsAnnotation) ? In(annotations) : null;

    /// <summary>The start of the run the annotations name (a pod's, or a quarantine policy's: the run that made it); null when they name none.</summary>
    public static DateTimeOffset? In(IDictionary<string, string>? annotations) =>
        annotations is not null
        && annotations.TryGetValue(QuarantineNames.RunAnnotation, out var value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var startedAt)
            ? startedAt
            : null;

    /// <summary>Stops a call of the run started at <paramref name="runStartedAt"/> when the pod names a later run (nothing when the caller's run is not known).</summary>
    /// <exception cref="SupersededByLaterRunException">The pod names a later run.</exception>
    public static void ThrowIfLaterRun(V1Pod pod, DateTimeOffset? runStartedAt)
    {
        if (runStartedAt is { } ours && On(pod) is { } named && named > ours)
        {
            throw new SupersededByLaterRunException(named);
        }
    }

    /// <summary>Whether the pod should be stamped with <paramref name="runStartedAt"/>: it names no run, or an earlier one.</summary>
    public static bool IsBehind(V1Pod pod, DateTimeOffset? runStartedAt) =>
        runStartedAt is { } ours && (On(pod) is not { } named || named < ours);
}

/// <summary>A call of an earlier run found that a later run of the pod has isolated it since (or, by its record, released it).</summary>
/// <param name="done">What the later run did, as in "has … since".</param>
public sealed class SupersededByLaterRunException(DateTimeOffset laterRunStartedAt, string done = "isolated it")
    : Exception($"a later run of the pod (started {laterRunStartedAt:u}) has {done} since; this call stops so as not to undo that")
{
    public DateTimeOffset LaterRunStartedAt { get; } = laterRunStartedAt;

    /// <summary>Whether the later run has released the pod, or is releasing it, by the pod's isolation record.</summary>
    public bool Released { get; init; }
}
