using Containment.Clusters;

namespace Containment.Tests.Clusters;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData(KubernetesNameKind.Pod, "checkout-6f9c7d8b54-q2xkz")]
    [InlineData(KubernetesNameKind.Pod, "static-web.aks-nodepool1-0")]
    [InlineData(KubernetesNameKind.Pod, "a")]
    [InlineData(KubernetesNameKind.Namespace, "kube-system")]
    [InlineData(KubernetesNameKind.Container, "app2")]
    [InlineData(KubernetesNameKind.Node, "aks-nodepool1-31718369-vmss000002")]
    public void Problem_ValidName_Null(KubernetesNameKind kind, string name) =>
        Assert.Null(KubernetesNames.Problem(kind, name));

    [Theory]
    [InlineData(KubernetesNameKind.Pod, "../../etc")]
    [InlineData(KubernetesNameKind.Pod, "Victim-00")]
    [InlineData(KubernetesNameKind.Pod, "victim-00\n")]
    [InlineData(KubernetesNameKind.Pod, "-victim")]
    [InlineData(KubernetesNameKind.Pod, "victim..00")]
    [InlineData(KubernetesNameKind.Pod, "v\u0456ctim")]
    [InlineData(KubernetesNameKind.Namespace, "shop.eu")]
    [InlineData(KubernetesNameKind.Container, "app; rm -rf /")]
    [InlineData(KubernetesNameKind.Namespace, "")]
    public void Problem_NotAName_SaysWhatKindOfName(KubernetesNameKind kind, string name) =>
        Assert.Contains(kind.ToString().ToLowerInvariant(), KubernetesNames.Problem(kind, name), StringComparison.Ordinal);

    [Theory]
    [InlineData(KubernetesNameKind.Namespace, KubernetesNames.MaxLabelLength)]
    [InlineData(KubernetesNameKind.Container, KubernetesNames.MaxLabelLength)]
    [InlineData(KubernetesNameKind.Pod, KubernetesNames.MaxSubdomainLength)]
    [InlineData(KubernetesNameKind.Node, KubernetesNames.MaxSubdomainLength)]
    public void Problem_LengthLimit_AtLimitValidOneMoreRefusedWithBothLengths(KubernetesNameKind kind, int limit)
    {
        var atLimit = KubernetesNames.Problem(kind, new string('a', limit));
        var over = KubernetesNames.Problem(kind, new string('a', limit + 1));

        Assert.Null(atLimit);
        Assert.Contains($"it is {limit + 1} characters long, at most {limit}", over, StringComparison.Ordinal);
        Assert.True(over!.Length < 300, "the message repeats the whole name");
    }
}
