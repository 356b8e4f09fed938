using k8s;
using k8s.Models;

namespace Containment.Clusters;

/// <summary>
/// The Kubernetes RBAC objects that grant Containment's identity what it does on a cluster: a ClusterRole of the
/// permissions, and a ClusterRoleBinding of it to the identity, as YAML for <c>kubectl apply -f</c>.
/// </summary>
public static class ClusterRoleManifest
{
    public const string DefaultName = "containment";

    private const string RbacGroup = "rbac.authorization.k8s.io";

    public static V1ClusterRole Role(string name, IReadOnlyList<KubernetesPermission> permissions) => new()
    {
        ApiVersion = $"{RbacGroup}/v1",
        Kind = "ClusterRole",
        Metadata = Metadata(name),
        Rules = [.. permissions.Select(permission => new V1PolicyRule
        {
            ApiGroups = [permission.Group],
            Resources = [permission.Resource],
            Verbs = [.. permission.Verbs],
        })],
    };

    /// <summary>Binds the role of the same name to the subjects: a user or group as the cluster's authenticator names it, or a service account.</summary>
    public static V1ClusterRoleBinding Binding(string name, IReadOnlyList<RbacSubject> subjects) => new()
    {
        ApiVersion = $"{RbacGroup}/v1",
        Kind = "ClusterRoleBinding",
        Metadata = Metadata(name),
        RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "ClusterRole", Name = name },
        Subjects = [.. subjects.Select(subject => subject.Kind == RbacSubjectKind.ServiceAccount
            ? new Rbacv1Subject { Kind = "ServiceAccount", Name = subject.Name, NamespaceProperty = subject.Namespace }
            : new Rbacv1Subject { Kind = subject.Kind.ToString(), Name = subject.Name, ApiGroup = RbacGroup })],
    };

    /// <summary>The role, and its binding when there are subjects, as one YAML stream.</summary>
    public static string Yaml(string name, IReadOnlyList<KubernetesPermission> permissions, IReadOnlyList<RbacSubject> subjects)
    {
        var role = KubernetesYaml.Serialize(Role(name, permissions));
        return subjects.Count == 0 ? role : role.TrimEnd('\n') + "\n---\n" + KubernetesYaml.Serialize(Binding(name, subjects));
    }

    private static V1ObjectMeta Metadata(string name) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "containment" },
    };
}
