using Containment.Isolation;

namespace Containment.Notifications;

/// <summary>
/// What the isolated and released messages say of the pod's workload, from who owned the pod: read at 3 a.m., "its
/// replacement serves traffic" must not be said of a pod nothing replaces.
/// </summary>
internal static class WorkloadText
{
    /// <summary>While the pod is held: whether anything takes its place.</summary>
    public static string WhileIsolated(PodOwnership? ownership) => ownership?.Controller switch
    {
        null when ownership is null => "It keeps running for forensics.",
        null => "It keeps running for forensics. No controller owns it, so nothing takes its place: what it served stays down until it is released.",
        { Kind: PodOwnership.ReplicaSet } controller =>
            $"It keeps running for forensics; its ReplicaSet {controller.Name} starts a replacement, which serves meanwhile.",
        { Kind: PodOwnership.DaemonSet } controller =>
            $"It keeps running for forensics; its DaemonSet {controller.Name} starts a replacement on the same node.",
        { Kind: PodOwnership.StatefulSet } controller =>
            $"It keeps running for forensics; its StatefulSet {controller.Name} starts no replacement while the pod keeps its name, and runs a replica short until the release.",
        { } controller => $"It keeps running for forensics; its owner, {controller.Kind} {controller.Name}, decides whether another pod takes its place.",
    };

    /// <summary>After the release: what the owner does with the pod it gets back; null where there is nothing to say.</summary>
    public static string? OnRelease(PodOwnership? ownership) => ownership?.Controller switch
    {
        { Kind: PodOwnership.ReplicaSet } controller =>
            $"Its ReplicaSet {controller.Name} takes it back and, one pod over its replicas, deletes one: usually the replacement it started, the younger.",
        { Kind: PodOwnership.StatefulSet } controller => $"Its StatefulSet {controller.Name} takes it back.",
        _ => null,
    };
}
