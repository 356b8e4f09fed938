using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class DefenderAlertFormatTests
{
    [Fact]
    public void Read_ArmAlertWithEntityReferences_ResolvesPodNamespaceClusterAndImage()
    {
        // Arrange
        var body = Payloads.Load("defender-arm-reverse-shell.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal(Expected.DefenderReverseShell, Expected.WithoutRaw(alert));
        Assert.NotNull(alert.Raw);
    }

    [Fact]
    public void Read_ContinuousExportAlertPascalCase_ReadsNestedContainerAndImage()
    {
        // Arrange
        var body = Payloads.Load("defender-export-crypto-mining.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Expected.WithoutRaw(Assert.Single(result.Alerts));
        Assert.Equal(
            new Alert
            {
                Id = "2517537310884445000_1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a",
                Source = "defender",
                Category = AlertCategory.CryptoMining,
                Severity = Severity.High,
                Time = DateTimeOffset.Parse("2026-11-21T02:40:11Z"),
                Title = "Digital currency mining related behavior detected",
                Description = "Analysis of processes running within a container detected the execution of a process normally associated with digital currency mining.",
                Rule = "K8S.NODE_DigitalCurrencyMining",
                Target = new AlertTarget
                {
                    Cluster = "aks-batch-dev",
                    ClusterResourceId = "/subscriptions/9c8b7a6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d/resourceGroups/rg-batch-dev/providers/Microsoft.ContainerService/managedClusters/aks-batch-dev",
                    Namespace = "jobs",
                    Pod = "report-builder-28851930-7xkqp",
                    Container = "builder",
                    Image = "docker.io/library/python:3.12-slim",
                },
            },
            alert);
    }

    [Fact]
    public void Read_SecurityAlertTableRow_ParsesEntitiesAndExtendedPropertiesStrings()
    {
        // Arrange
        var body = Payloads.Load("securityalert-row.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Expected.WithoutRaw(Assert.Single(result.Alerts));
        Assert.Equal(
            new Alert
            {
                Id = "7e8f9a0b-1c2d-4e3f-a4b5-c6d7e8f9a0b1",
                Source = "defender",
                Category = AlertCategory.LateralMovement,
                Severity = Severity.Medium,
                Time = DateTimeOffset.Parse("2026-11-22T17:01:10Z"),
                Title = "Access to kubelet kubeconfig file detected",
                Description = "Analysis of processes running on a Kubernetes cluster node detected access to kubeconfig file on the host.",
                Rule = "K8S.NODE_KubeConfigAccess",
                Target = new AlertTarget
                {
                    Cluster = "aks-web-01",
                    ClusterResourceId = "/subscriptions/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/resourceGroups/rg-web/providers/Microsoft.ContainerService/managedClusters/aks-web-01",
                    Namespace = "frontend",
                    Pod = "web-5d8f7b6c9-lm4np",
                    Container = "web",
                    Image = "acrweb.azurecr.io/web:2.3.0",
                },
            },
            alert);
    }

    [Fact]
    public void Read_UnresolvedEntityReference_ReportsPointerAndNoAlert()
    {
        // Arrange
        var body = Payloads.Load("defender-unresolved-ref.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal(
            [new AlertProblem("/properties/entities/3/namespace/$ref", "entity $ref 'westeurope_9' points at no entity")],
            result.Problems);
    }

    [Fact]
    public void Read_NoPodInEntitiesOrExtendedProperties_ReportsMissingPod()
    {
        // Arrange
        var body = Payloads.Load("defender-no-pod.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal(
            [new AlertProblem("/properties", "no pod named in the alert (looked in entities, extendedProperties)")],
            result.Problems);
    }

    [Fact]
    public void Read_NoEntities_TakesThePodFromExtendedProperties()
    {
        // Arrange
        var alert = System.Text.Json.Nodes.JsonNode.Parse(Payloads.Load("defender-arm-reverse-shell.json").ToString())!;
        alert["properties"]!.AsObject().Remove("entities");

        // Act
        var result = AlertIntake.Default.Read(BinaryData.FromString(alert.ToJsonString()), "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var target = Assert.Single(result.Alerts).Target;
        Assert.Equal(("shop", "checkout-6f9c7d8b54-q2xkz", "checkout"), (target.Namespace, target.Pod, target.Container));
    }

    [Fact]
    public void Read_ArmListResponse_ReadsEveryAlert()
    {
        // Arrange
        var alert = Payloads.Load("defender-arm-reverse-shell.json").ToString();
        var body = BinaryData.FromString($$"""{"value": [{{alert}}, {"hello": 1}]}""");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Equal(Expected.DefenderReverseShell, Expected.WithoutRaw(Assert.Single(result.Alerts)));
        Assert.Equal("/value/1", Assert.Single(result.Problems).Pointer);
    }
}
