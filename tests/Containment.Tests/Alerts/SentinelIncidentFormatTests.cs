using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class SentinelIncidentFormatTests
{
    [Fact]
    public void Read_IncidentWithTwoPods_YieldsOneAlertPerPod()
    {
        // Arrange
        var body = Payloads.Load("sentinel-incident.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var expected = new Alert
        {
            Id = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f/shop/checkout-6f9c7d8b54-q2xkz",
            Source = "sentinel",
            // The reverse shell (Medium) outranks the High file-tampering alert; severity is the highest.
            Category = AlertCategory.ReverseShell,
            Severity = Severity.High,
            Time = DateTimeOffset.Parse("2026-11-20T09:12:55Z"),
            Title = "Reverse shell and file tampering on aks-shop-prod",
            Description = "Two Defender for Containers alerts on pods of the shop namespace.",
            Rule = "K8S.NODE_ReverseShell",
            Target = new AlertTarget
            {
                Cluster = "aks-shop-prod",
                ClusterResourceId = Expected.ShopCluster,
                Namespace = "shop",
                Pod = "checkout-6f9c7d8b54-q2xkz",
                Node = "aks-nodepool1-31718369-vmss000002",
            },
        };
        Assert.Equal(
            [
                expected,
                expected with
                {
                    Id = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f/shop/cart-7c5b9d4f8-r8tvw",
                    Target = expected.Target with { Pod = "cart-7c5b9d4f8-r8tvw" },
                },
            ],
            result.Alerts.Select(Expected.WithoutRaw));
    }
}
