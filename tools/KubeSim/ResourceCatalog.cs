namespace KubeSim;

/// <summary>The resource types served, and the Cilium ones when switched on.</summary>
public static class ResourceCatalog
{
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public static readonly ResourceKind Pods = new("", "v1", "pods", "Pod", true, "po");
    public static readonly ResourceKind Namespaces = new("", "v1", "namespaces", "Namespace", false, "ns");
    public static readonly ResourceKind Services = new("", "v1", "services", "Service", true, "svc");
    public static readonly ResourceKind Events = new("", "v1", "events", "Event", true, "ev");
    public static readonly ResourceKind Nodes = new("", "v1", "nodes", "Node", false, "no");
    public static readonly ResourceKind NetworkPolicies = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, "netpol");
    public static readonly ResourceKind ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, "rs");
    public static readonly ResourceKind Deployments = new("apps", "v1", "deployments", "Deployment", true, "deploy");
    public static readonly ResourceKind CiliumNetworkPolicies = new("cilium.io", "v2", "ciliumnetworkpolicies", "CiliumNetworkPolicy", true, "cnp");
    public static readonly ResourceKind ClusterRoles = new(RbacGroup, "v1", "clusterroles", "ClusterRole", false);
    public static readonly ResourceKind ClusterRoleBindings = new(RbacGroup, "v1", "clusterrolebindings", "ClusterRoleBinding", false);
    public static readonly ResourceKind Roles = new(RbacGroup, "v1", "roles", "Role", true);
    public static readonly ResourceKind RoleBindings = new(RbacGroup, "v1", "rolebindings", "RoleBinding", true);

    public static IReadOnlyList<ResourceKind> Served(bool cilium)
    {
        var kinds = new List<ResourceKind> { Pods, Namespaces, Services, Events, Nodes, NetworkPolicies, ReplicaSets, Deployments, ClusterRoles, ClusterRoleBindings, Roles, RoleBindings };
        if (cilium)
        {
            kinds.Add(CiliumNetworkPolicies);
        }

        return kinds;
    }
}
