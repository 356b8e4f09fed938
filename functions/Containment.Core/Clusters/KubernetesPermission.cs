namespace Containment.Clusters;

/// <summary>An RBAC permission an action uses: verbs on a resource of an API group ("" is core).</summary>
public sealed record KubernetesPermission(string Group, string Resource, IReadOnlyList<string> Verbs)
{
    public override string ToString() => $"{string.Join(',', Verbs)} {Resource}{(Group.Length > 0 ? "." + Group : "")}";
}
