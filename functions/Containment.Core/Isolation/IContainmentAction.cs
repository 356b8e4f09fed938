using Containment.Clusters;

namespace Containment.Isolation;

/// <summary>
/// A Kubernetes response action. Each declares its parameters, the checks it makes before it
/// writes, and the RBAC permissions it uses, so a deployment can grant exactly those.
/// </summary>
public interface IContainmentAction
{
    /// <summary>The playbook step type (<c>isolatePod</c>, <c>releasePod</c>, <c>deletePod</c>, <c>cordonNode</c>, <c>uncordonNode</c>).</summary>
    string Name { get; }

    IReadOnlyList<ActionParameter> Parameters { get; }

    IReadOnlyList<string> Checks { get; }

    IReadOnlyList<KubernetesPermission> Permissions { get; }
}
