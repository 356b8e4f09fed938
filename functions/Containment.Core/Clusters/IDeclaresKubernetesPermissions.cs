namespace Containment.Clusters;

/// <summary>A component that calls a cluster's API, with the RBAC permissions those calls need.</summary>
public interface IDeclaresKubernetesPermissions
{
    IReadOnlyList<KubernetesPermission> Permissions { get; }
}
