using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class NativeAlertFormatTests
{
    private static readonly Alert Manual = new()
    {
        Id = "manual-2026-11-22-001",
        Source = "soc-analyst",
        Category = AlertCategory.Malware,
        Severity = Severity.High,
        Time = DateTimeOffset.Parse("2026-11-22T08:00:00Z"),
        Title = "Webshell found by manual triage",
        Description = "A PHP webshell was found in the image layer.",
        Rule = "manual",
        Target = new AlertTarget
        {
            Cluster = "prod-weu",
            ClusterResourceId = Expected.ShopCluster,
            Namespace = "shop",
            Pod = "checkout-6f9c7d8b54-q2xkz",
            Container = "checkout",
            Image = "acrshop.azurecr.io/checkout:1.14.2",
            Node = "aks-nodepool1-31718369-vmss000002",
        },
    };

    [Fact]
    public void Read_NativeSingle_ReadsAlert()
    {
        // Arrange
        var body = Payloads.Load("native-single.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Equal(Manual, Expected.WithoutRaw(Assert.Single(result.Alerts)));
    }

    [Fact]
    public void Read_NativeArray_ReadsEveryAlert()
    {
        // Arrange
        var body = Payloads.Load("native-array.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Equal(
            [
                Manual,
                Manual with
                {
                    Id = "manual-2026-11-22-002",
                    Category = AlertCategory.LateralMovement,
                    Severity = Severity.Medium,
                    Target = Manual.Target with { Pod = "cart-7c5b9d4f8-r8tvw", Container = "cart", Image = null, Node = null },
                },
            ],
            result.Alerts.Select(Expected.WithoutRaw));
    }

    [Fact]
    public void Read_NativeWithoutPod_ReportsPointerToTarget()
    {
        // Arrange
        var body = BinaryData.FromString(
            """{"id":"a1","source":"x","category":"malware","severity":"high","time":"2026-11-22T08:00:00Z","target":{"namespace":"shop"}}""");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("/target", problem.Pointer);
        Assert.Contains("pod", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SourceHoldingAColon_ReportsPointerToSource_SoNoTwoAlertsShareAnEventId()
    {
        // Arrange: as source "soc:triage" with id "7", this alert's event id would be that of source "soc" with id "triage:7".
        var body = BinaryData.FromString(
            """[{"id":"7","source":"soc:triage","category":"malware","severity":"high","time":"2026-11-22T08:00:00Z","target":{"namespace":"shop","pod":"cart-1"}},"""
            + """{"id":"triage:7","source":"soc","category":"malware","severity":"high","time":"2026-11-22T08:00:00Z","target":{"namespace":"shop","pod":"cart-2"}}]""");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Equal("cart-2", Assert.Single(result.Alerts).Target.Pod);
        Assert.Equal([new AlertProblem("/0/source", "the alert's source holds ':' (at 3), which ends the source in the event's id (source:id)")], result.Problems);
    }
}
