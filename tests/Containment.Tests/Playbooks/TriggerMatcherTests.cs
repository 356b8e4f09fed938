using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.Tests.Playbooks;

/// <summary>A cluster is known by its alias and, from Defender and Sentinel, its AKS resource id: a trigger's filter judges both.</summary>
public sealed class TriggerMatcherTests
{
    private const string ProdId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod";

    [Theory]
    [InlineData("aks-prod", null, false)]
    [InlineData("AKS-PROD", null, false)]
    [InlineData("aks-prod", ProdId, false)]
    [InlineData("aks-dev", null, true)]
    [InlineData(null, null, true)]
    public void ExcludedByAlias_NoAlertOfThatClusterIsTaken(string? alias, string? resourceId, bool taken)
    {
        var trigger = new PlaybookTrigger { Clusters = new NameFilter { Exclude = ["aks-prod"] } };

        Assert.Equal(taken, TriggerMatcher.Matches(trigger, AlertOn(alias, resourceId)));
    }

    [Theory]
    [InlineData("aks-prod", ProdId, false)]
    [InlineData(null, ProdId, false)]
    [InlineData("aks-prod", null, true)]
    public void ExcludedByResourceId_AnAlertGivingThatIdIsNotTaken(string? alias, string? resourceId, bool taken)
    {
        var trigger = new PlaybookTrigger { Clusters = new NameFilter { Exclude = [ProdId] } };

        Assert.Equal(taken, TriggerMatcher.Matches(trigger, AlertOn(alias, resourceId)));
    }

    [Theory]
    [InlineData("aks-prod", null, true)]
    [InlineData("aks-prod", ProdId, true)]
    [InlineData("aks-dev", ProdId, true)]
    [InlineData("aks-dev", null, false)]
    [InlineData(null, null, false)]
    public void Included_AnyOfTheClustersNamesIsEnough(string? alias, string? resourceId, bool taken)
    {
        var trigger = new PlaybookTrigger { Clusters = new NameFilter { Include = ["aks-prod", ProdId] } };

        Assert.Equal(taken, TriggerMatcher.Matches(trigger, AlertOn(alias, resourceId)));
    }

    [Fact]
    public void IncludedAndExcluded_TheExclusionWins()
    {
        var trigger = new PlaybookTrigger { Clusters = new NameFilter { Include = ["aks-prod"], Exclude = [ProdId] } };

        Assert.False(TriggerMatcher.Matches(trigger, AlertOn("aks-prod", ProdId)));
        Assert.True(TriggerMatcher.Matches(trigger, AlertOn("aks-prod", null)));
    }

    private static Alert AlertOn(string? alias, string? resourceId) => new()
    {
        Id = "a",
        Source = "test",
        Category = AlertCategory.ReverseShell,
        Severity = Severity.High,
        Time = DateTimeOffset.UnixEpoch,
        Target = new AlertTarget { Cluster = alias, ClusterResourceId = resourceId, Namespace = "shop", Pod = "web-1" },
    };
}
