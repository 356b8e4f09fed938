using k8s.Models;

namespace Containment.Isolation;

/// <summary>
/// Who owned a pod when an isolation took it out of its labels: the controller that then sees it leave its selector
/// (a ReplicaSet starts a replacement, a StatefulSet cannot while the pod keeps its name), or none, and then nothing
/// takes its place. Messages say so, as what a person on call needs to know of the workload while the pod is held.
/// </summary>
public sealed record PodOwnership(PodController? Controller = null)
{
    public const string ReplicaSet = "ReplicaSet";
    public const string StatefulSet = "StatefulSet";
    public const string DaemonSet = "DaemonSet";

    public static PodOwnership Of(V1Pod pod) =>
        new(pod.Metadata?.OwnerReferences?.FirstOrDefault(owner => owner.Controller == true) is { } controller
            ? new PodController(controller.Kind, controller.Name)
            : null);
}
