using Containment.Clusters;

namespace Containment.Isolation;

/// <summary>
/// A Kubernetes response action: the work of one playbook step type on a cluster. Each declares, beside its code,
/// what it makes sure of on the cluster and the permissions its calls need, so a playbook's author can read what a
/// step does (<c>./containment playbooks steps</c>) and a deployment can grant exactly that (<c>./containment rbac</c>).
/// The step's own fields are the playbook schema's.
/// </summary>
public interface IContainmentAction
{
    /// <summary>The playbook step type the action carries out (<c>isolate</c>, <c>release</c>, ...).</summary>
    static abstract string StepType { get; }

    /// <summary>What the action makes sure of on the cluster, in the order it does; one that does not hold stops or fails the step.</summary>
    static abstract IReadOnlyList<string> Checks { get; }

    /// <summary>What its calls do on a cluster: part of <see cref="ContainmentPermissions.All"/>.</summary>
    static abstract IReadOnlyList<KubernetesPermission> Needed { get; }
}
