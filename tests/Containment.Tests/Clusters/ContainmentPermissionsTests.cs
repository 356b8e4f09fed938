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
        var declaring = typeof(IDeclaresKubernetesPermissions).Assembly.GetTypes()
            .Where(type => type.IsClass && !type.IsAbstract && type.IsAssignableTo(typeof(IDeclaresKubernetesPermissions)))
            .ToList();

        Assert.Equal(8, declaring.Count);
        Assert.All(declaring, type =>
        {
            var needed = (IReadOnlyList<KubernetesPermission>?)type.GetProperty("Needed", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            Assert.True(needed is { Count: > 0 }, $"{type.Name} declares its permissions in a static Needed");
            Assert.All(needed!, permission => Assert.Contains(
                ContainmentPermissions.All,
                granted => granted.Group == permission.Group && granted.Resource == permission.Resource && permission.Verbs.All(granted.Verbs.Contains)));
        });
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
