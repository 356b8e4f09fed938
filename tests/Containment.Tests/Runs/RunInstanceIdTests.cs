using Containment.Runs;

namespace Containment.Tests.Runs;

public sealed class RunInstanceIdTests
{
    [Theory]
    [InlineData("aks-prod", "shop", "web-7d9f8b6c5-x2k4p")]
    [InlineData("AKS-Prod", "kube.system", "pod_with?odd#chars/é")]
    public void TryParse_AnIdMadeForAPod_GivesItsPartsBack(string cluster, string ns, string pod)
    {
        var id = RunInstanceId.ForTarget(cluster, ns, pod);

        Assert.True(RunInstanceId.TryParse(id, out var target));

        Assert.Equal((cluster.ToLowerInvariant(), ns, pod.ToLowerInvariant()), target);
        Assert.Equal(id, RunInstanceId.ForTarget(target.Cluster, target.Namespace, target.Pod));
    }

    [Theory]
    [InlineData("")]
    [InlineData("aks-prod~shop")]
    [InlineData("aks-prod~shop~web~more")]
    [InlineData("aks-prod~~web")]
    [InlineData("aks-prod~Shop~web")]
    [InlineData("aks-prod~shop~web_4")]
    [InlineData("aks-prod~shop~web_zz")]
    [InlineData("aks-prod~shop~web_41")]
    [InlineData("aks-prod~shop~web_2F")]
    [InlineData("aks-prod~shop~web_ff")]
    [InlineData("aks-prod~shop~wéb")]
    public void TryParse_TextNoPodsIdCanBe_IsFalse(string id)
    {
        Assert.False(RunInstanceId.TryParse(id, out _));
    }
}
