using System.Text.Json.Nodes;
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
    public void Read_NoPodInEntitiesOrExtendedProperties_ThoughANamespaceAndContainer_ReportsMissingPod()
    {
        // Arrange: a reverse shell in container checkout of namespace shop, its pod not named: someone must look.
        var body = Payloads.Load("defender-no-pod.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal(
            [new AlertProblem("/properties", "no pod named in the alert (looked in entities, extendedProperties), though it names a namespace or a container")],
            result.Problems);
    }

    [Fact]
    public void Read_AlertAboutTheClusterAsAWhole_AnAlertWithNothingToIsolate_SayingWhy()
    {
        // Arrange: no pod, namespace or container anywhere (a dashboard exposed, a role granted).
        var body = JsonNode.Parse(Payloads.Load("defender-no-pod.json").ToString())!;
        var extended = body["properties"]!["extendedProperties"]!.AsObject();
        extended.Remove("namespace");
        extended.Remove("container name");
        extended.Remove("container id");

        // Act
        var result = AlertIntake.Default.Read(BinaryData.FromString(body.ToJsonString()), "application/json");

        // Assert: kept as the security event it is, about the cluster.
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal((string.Empty, string.Empty, "aks-shop-prod"), (alert.Target.Namespace, alert.Target.Pod, alert.Target.Cluster));
        Assert.Equal("the alert names no pod, namespace or container (looked in entities, extendedProperties): an alert about the cluster; only pods are isolated", alert.NothingToIsolate);
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

    private const string ArmId = "2517538088322968242_6c1f0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
    private const string Checkout = "checkout-6f9c7d8b54-q2xkz";
    private const string DrCluster =
        "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-shop-dr/providers/Microsoft.ContainerService/managedClusters/aks-shop-dr";

    [Fact]
    public void Read_PodsOfOneNameInTwoNamespaces_EachTakesItsOwnContainerAndNoGuessedNode()
    {
        // Arrange: the checkout pod of the fixture, and one of that name in shop-canary with its own container, on a second host.
        var body = ArmAlert(entities =>
        {
            entities.Add(Entity("westeurope_8", "K8s-namespace", new() { ["name"] = "shop-canary", ["cluster"] = Ref("westeurope_2") }));
            entities.Add(Entity("westeurope_9", "K8s-pod", new() { ["name"] = Checkout, ["namespace"] = Ref("westeurope_8") }));
            entities.Add(Entity("westeurope_10", "container", new() { ["name"] = "checkout-canary", ["pod"] = Ref("westeurope_9") }));
            entities.Add(Entity("westeurope_11", "host", new() { ["hostName"] = "aks-nodepool1-31718369-vmss000005" }));
        });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert: two hosts and no link from either pod to one, so neither pod's node is known.
        Assert.Empty(result.Problems);
        Assert.Equal(
            [
                ($"{ArmId}/shop/{Checkout}", "checkout", null),
                ($"{ArmId}/shop-canary/{Checkout}", "checkout-canary", null),
            ],
            result.Alerts.Select(alert => (alert.Id, alert.Target.Container, alert.Target.Node)));
    }

    [Fact]
    public void Read_TwoPodsAndExtendedPropertiesNamingOne_OnlyThatPodTakesTheirContainer()
    {
        // Arrange: no container entities; the extended properties describe shop/checkout (container checkout).
        var body = ArmAlert(entities =>
        {
            entities.RemoveAt(5);
            entities.Add(Entity("westeurope_8", "K8s-pod", new() { ["name"] = "cart-7c5b9d4f8-r8tvw", ["namespace"] = Ref("westeurope_3") }));
        });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Equal(
            [(Checkout, "checkout"), ("cart-7c5b9d4f8-r8tvw", null)],
            result.Alerts.Select(alert => (alert.Target.Pod, alert.Target.Container)));
    }

    [Fact]
    public void Read_PodsOfOneNameInTwoClusters_EachTakesItsClusterAndAnIdOfItsOwn()
    {
        // Arrange: shop/checkout in aks-shop-dr too, its namespace linking to that cluster.
        var body = ArmAlert(entities =>
        {
            AddDrCluster(entities);
            entities.Add(Entity("westeurope_14", "K8s-namespace", new() { ["name"] = "shop", ["cluster"] = Ref("westeurope_13") }));
            entities.Add(Entity("westeurope_15", "K8s-pod", new() { ["name"] = Checkout, ["namespace"] = Ref("westeurope_14") }));
        });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert: two events, not one and its redelivery.
        Assert.Empty(result.Problems);
        Assert.Equal(
            [
                ($"{ArmId}/aks-shop-prod/shop/{Checkout}", "aks-shop-prod", Expected.ShopCluster),
                ($"{ArmId}/aks-shop-dr/shop/{Checkout}", "aks-shop-dr", DrCluster),
            ],
            result.Alerts.Select(alert => (alert.Id, alert.Target.Cluster, alert.Target.ClusterResourceId)));
    }

    [Fact]
    public void Read_TwoClustersAndAPodLinkedToNeither_LeavesItsClusterUnknown()
    {
        // Arrange: a pod whose inline namespace links to no cluster, in an alert naming two.
        var body = ArmAlert(entities =>
        {
            AddDrCluster(entities);
            entities.Add(Entity("westeurope_14", "K8s-pod", new() { ["name"] = "db-0", ["namespace"] = new JsonObject { ["name"] = "data" } }));
        });

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert: neither the alert's resource identifier nor its compromised entity is taken for it.
        Assert.Empty(result.Problems);
        var db = Assert.Single(result.Alerts, alert => alert.Target.Pod == "db-0").Target;
        Assert.Equal((null, null), (db.Cluster, db.ClusterResourceId));
        Assert.Equal([Expected.ShopCluster, DrCluster], db.ClusterCandidates);
    }

    /// <summary>defender-arm-reverse-shell.json with its entities changed.</summary>
    private static BinaryData ArmAlert(Action<JsonArray> change)
    {
        var body = JsonNode.Parse(Payloads.Load("defender-arm-reverse-shell.json").ToString())!;
        change(body["properties"]!["entities"]!.AsArray());
        return BinaryData.FromString(body.ToJsonString());
    }

    private static void AddDrCluster(JsonArray entities)
    {
        entities.Add(Entity("westeurope_12", "azure-resource", new() { ["resourceId"] = DrCluster, ["resourceName"] = "aks-shop-dr" }));
        entities.Add(Entity("westeurope_13", "K8s-cluster", new() { ["name"] = "aks-shop-dr", ["cloudResource"] = Ref("westeurope_12") }));
    }

    private static JsonObject Entity(string id, string type, JsonObject fields)
    {
        fields["$id"] = id;
        fields["type"] = type;
        return fields;
    }

    private static JsonObject Ref(string id) => new() { ["$ref"] = id };
}
