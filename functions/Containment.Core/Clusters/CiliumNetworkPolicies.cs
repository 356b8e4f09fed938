namespace Containment.Clusters;

/// <summary>Cilium's own policy kind (<c>cilium.io/v2</c> <c>CiliumNetworkPolicy</c>), where a cluster serves it.</summary>
internal static class CiliumNetworkPolicies
{
    public const string Group = "cilium.io";
    public const string Version = "v2";
    public const string Plural = "ciliumnetworkpolicies";

    /// <summary>The resource as Kubernetes names it in messages: plural, then group.</summary>
    public const string Resource = Plural + "." + Group;
}
