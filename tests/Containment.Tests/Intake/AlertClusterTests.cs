using Containment.Alerts;
using Containment.Clusters;
using Containment.Intake;

namespace Containment.Tests.Intake;

public sealed class AlertClusterTests
{
    private const string ProdId = "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod";
    private const string OtherProdId = "/subscriptions/0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e/resourceGroups/rg-partner/providers/Microsoft.ContainerService/managedClusters/aks-prod";
    private const string LabId = "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-lab/providers/Microsoft.ContainerService/managedClusters/lab";

    /// <summary>aks-prod named by its resource id; lab reached through a kubeconfig, with no resource id.</summary>
    private static readonly Dictionary<string, ClusterSettings> Two = new(StringComparer.OrdinalIgnoreCase)
    {
        ["aks-prod"] = new ClusterSettings { ResourceId = ProdId },
        ["lab"] = new ClusterSettings { Kubeconfig = "/etc/containment/lab.kubeconfig" },
    };

    [Theory]
    [InlineData(ProdId, null, "aks-prod", ProdId)]
    [InlineData(ProdId + "/", "lab", "aks-prod", ProdId)] // the resource id decides, whatever the name says
    [InlineData(null, "AKS-PROD", "aks-prod", ProdId)] // with the resource id aks-prod is configured with
    [InlineData(null, "lab", "lab", null)]
    [InlineData(LabId, "lab", "lab", null)] // lab has no resource id to tell it from another cluster named lab
    public void Of_NamesAConfiguredCluster(string? resourceId, string? name, string alias, string? configuredResourceId)
    {
        var cluster = AlertCluster.Of(Target(resourceId, name), Two);

        Assert.Equal(new AlertCluster(alias, ResourceId: configuredResourceId), cluster);
    }

    [Theory]
    [InlineData(OtherProdId, "aks-prod", $"cluster {OtherProdId} is not configured; the cluster configured as aks-prod is named aks-prod too, but its resource id is {ProdId}")]
    [InlineData(OtherProdId, null, $"cluster {OtherProdId} is not configured (Containment:Clusters:<alias> with Kubeconfig or ResourceId)")]
    [InlineData(null, "aks-elsewhere", "cluster aks-elsewhere is not configured (Containment:Clusters:<alias> with Kubeconfig or ResourceId)")]
    [InlineData(null, null, "the alert names no cluster and 2 are configured")]
    public void Of_NoConfiguredCluster_SaysWhy(string? resourceId, string? name, string reason)
    {
        var cluster = AlertCluster.Of(Target(resourceId, name), Two);

        Assert.Equal(new AlertCluster(Reason: reason), cluster);
    }

    [Fact]
    public void Of_NoClusterNamed_TheOnlyOneConfigured()
    {
        var one = new Dictionary<string, ClusterSettings>(StringComparer.OrdinalIgnoreCase) { ["lab"] = Two["lab"] };

        Assert.Equal(new AlertCluster("lab"), AlertCluster.Of(Target(null, null), one));
    }

    [Fact]
    public void Of_AlertNamingSeveralClustersAndNotThePods_TakesNoneAndNamesThem()
    {
        var target = Target(null, null) with { ClusterCandidates = [ProdId, LabId] };

        var cluster = AlertCluster.Of(target, Two);

        Assert.Equal(new AlertCluster(Reason: $"the alert names 2 clusters ({ProdId}, {LabId}) and not which holds pod shop/db-0"), cluster);
    }

    [Fact]
    public void Of_AlertNamingSeveralClustersAndNotThePods_NotTheOnlyOneConfigured()
    {
        // aks-prod is the only cluster configured, but the pod may be lab's: a db-0 in aks-prod is another pod.
        var one = new Dictionary<string, ClusterSettings>(StringComparer.OrdinalIgnoreCase) { ["aks-prod"] = Two["aks-prod"] };
        var target = Target(null, null) with { ClusterCandidates = [ProdId, LabId] };

        var cluster = AlertCluster.Of(target, one);

        Assert.Null(cluster.Alias);
        Assert.StartsWith("the alert names 2 clusters", cluster.Reason, StringComparison.Ordinal);
    }

    private static AlertTarget Target(string? resourceId, string? name) =>
        new() { ClusterResourceId = resourceId, Cluster = name, Namespace = "shop", Pod = "db-0" };
}
