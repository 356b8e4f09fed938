using System.Reflection;
using Containment.Clusters;

namespace Containment.Tests.Clusters;

public sealed class ContainmentPermissionsTests
{
    [Fact]
    public void Merge_SameResourceTwice_OneEntryWithEveryVerbOnce_InTheApiOrder()
    {
        var merged = ContainmentPermissions.Merge(
        [
            new("networking.k8s.io", "networkpolicies", ["delete", "get"]),
            new("", "pods", ["patch", "get"]),
            new("networking.k8s.io", "networkpolicies", ["create", "get"]),
            new("", "nodes", ["list"]),
        ]);

        Assert.Equal(
            ["list nodes", "get,patch pods", "get,create,delete networkpolicies.networking.k8s.io"],
            merged.Select(permission => permission.ToString()));
    }

    /// <summary>
    /// A component that calls a cluster and is not part of the role would meet 403 on every cluster granted only the role
    /// <c>./containment rbac</c> prints.
    /// </summary>
    [Fact]
    public void All_GrantsWhatEveryComponentThatCallsAClusterDeclares()
    {
        // Each declares what its calls need in a static Needed (the actions by IContainmentAction, whose own Needed has no body).
        var declared = typeof(ContainmentPermissions).Assembly.GetTypes()
            .Where(type => !type.IsInterface)
            .Select(type => type.GetProperty("Needed", BindingFlags.Public | BindingFlags.Static))
            .Where(needed => needed?.PropertyType == typeof(IReadOnlyList<KubernetesPermission>))
            .Select(needed => (IReadOnlyList<KubernetesPermission>)needed!.GetValue(null)!)
            .ToList();

        Assert.Equal(8, declared.Count);
        Assert.All(declared, needed => Assert.NotEmpty(needed));
        Assert.All(declared.SelectMany(needed => needed), permission => Assert.Contains(
            ContainmentPermissions.All,
            granted => granted.Group == permission.Group && granted.Resource == permission.Resource && permission.Verbs.All(granted.Verbs.Contains)));
    }

    [Fact]
    public void All_IsWhatTheStepsAndTheDriftCheckDo()
    {
        Assert.Equal(
            [
                "get,list,patch nodes",
                "get,list,patch,delete pods",
                "create selfsubjectaccessreviews.authorization.k8s.io",
                "get,create,update,delete ciliumnetworkpolicies.cilium.io",
                "get,list,create,update,delete networkpolicies.networking.k8s.io",
            ],
            ContainmentPermissions.All.Select(permission => permission.ToString()));
    }
}
