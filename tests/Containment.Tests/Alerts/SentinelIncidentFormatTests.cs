using System.Text.Json.Nodes;
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

    private const string Incident = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";
    private const string DrCluster =
        "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-shop-dr/providers/Microsoft.ContainerService/managedClusters/aks-shop-dr";

    [Fact]
    public void Read_IncidentNamingTwoClusters_LeavesAPodThatLinksToNoneWithoutACluster()
    {
        // Arrange: the fixture's incident naming a second cluster; its pods, as Sentinel's do, link to no cluster.
        var body = WithSecondCluster(Incidents.Load());

        // Act
        var result = AlertIntake.Default.Read(Incidents.Body(body), "application/json");

        // Assert: neither pod is sent to the first cluster listed; both clusters are named as candidates.
        Assert.Empty(result.Problems);
        Assert.Equal(2, result.Alerts.Count);
        Assert.All(result.Alerts, alert =>
        {
            Assert.Null(alert.Target.Cluster);
            Assert.Null(alert.Target.ClusterResourceId);
            Assert.Equal([Expected.ShopCluster, DrCluster], alert.Target.ClusterCandidates);
        });
        Assert.Equal($"{Incident}/shop/checkout-6f9c7d8b54-q2xkz", result.Alerts[0].Id);
    }

    [Fact]
    public void Read_IncidentNamingTwoClusters_EachPodTakesTheClusterItsNamespaceLinksToAndAnIdOfItsOwn()
    {
        // Arrange: db-0 of the data namespace in both clusters, each namespace linking to its cluster.
        var body = WithSecondCluster(Incidents.Load());
        var entities = Incidents.Entities(body);
        entities.Add(Incidents.Entity("KubernetesPod", new JsonObject
        {
            ["name"] = "db-0",
            ["namespace"] = new JsonObject { ["name"] = "data", ["cluster"] = new JsonObject { ["name"] = "aks-shop-prod" } },
        }));
        entities.Add(Incidents.Entity("KubernetesPod", new JsonObject
        {
            ["name"] = "db-0",
            ["namespace"] = new JsonObject { ["name"] = "data", ["cluster"] = new JsonObject { ["name"] = "aks-shop-dr" } },
        }));

        // Act
        var result = AlertIntake.Default.Read(Incidents.Body(body), "application/json");

        // Assert: each gets its own cluster (the resource id from the AKS resource of that name), and the two are two events.
        Assert.Empty(result.Problems);
        var db = result.Alerts.Where(alert => alert.Target.Pod == "db-0").ToList();
        Assert.Equal(
            [
                ($"{Incident}/aks-shop-prod/data/db-0", "aks-shop-prod", Expected.ShopCluster),
                ($"{Incident}/aks-shop-dr/data/db-0", "aks-shop-dr", DrCluster),
            ],
            db.Select(alert => (alert.Id, alert.Target.Cluster, alert.Target.ClusterResourceId)));
        Assert.All(db, alert => Assert.Null(alert.Target.ClusterCandidates));
    }

    [Fact]
    public void Read_IncidentNamingTwoHosts_GivesAPodThatLinksToNoneNoNode()
    {
        // Arrange
        var body = Incidents.Load();
        Incidents.Entities(body).Add(Incidents.Entity("Host", new JsonObject { ["hostName"] = "aks-nodepool1-31718369-vmss000007" }));

        // Act
        var result = AlertIntake.Default.Read(Incidents.Body(body), "application/json");

        // Assert: the first host listed is not taken for every pod's node.
        Assert.Empty(result.Problems);
        Assert.All(result.Alerts, alert => Assert.Null(alert.Target.Node));
    }

    [Fact]
    public void Read_IncidentNamingNoPod_OneAlertWithNothingToIsolate_SayingWhy()
    {
        // Arrange: an incident about a host and an account, as an automation rule forwards every incident.
        var body = Incidents.Load();
        var entities = Incidents.Entities(body);
        entities.Clear();
        entities.Add(Incidents.Entity("Host", new JsonObject { ["hostName"] = "jump-01" }));
        entities.Add(Incidents.Entity("Account", new JsonObject { ["accountName"] = "ops" }));

        // Act
        var result = AlertIntake.Default.Read(Incidents.Body(body), "application/json");

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal(Incident, alert.Id);
        Assert.Equal(new AlertTarget { Namespace = string.Empty, Pod = string.Empty }, alert.Target);
        Assert.Equal("the incident names no pod (looked in relatedEntities); only pods are isolated", alert.NothingToIsolate);
    }

    [Theory]
    [InlineData(null, "/object/properties/relatedEntities", "no pod named in the incident: it has no relatedEntities (send the incident with its entities)")]
    [InlineData("\"[not json\"", "/object/properties/relatedEntities", null)]
    public void Read_IncidentWithoutReadableEntities_StillAProblem(string? entities, string pointer, string? message)
    {
        // Arrange: the incident resource alone, or entities that cannot be read: not known to name no pod.
        var body = Incidents.Load();
        var properties = body["object"]!["properties"]!.AsObject();
        properties.Remove("relatedEntities");
        if (entities is not null)
        {
            properties["relatedEntities"] = JsonNode.Parse(entities);
        }

        // Act
        var result = AlertIntake.Default.Read(Incidents.Body(body), "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(pointer, problem.Pointer);
        if (message is not null)
        {
            Assert.Equal(message, problem.Message);
        }
    }

    /// <summary>The fixture's incident with aks-shop-dr beside aks-shop-prod: an AKS resource and a cluster entity.</summary>
    private static JsonNode WithSecondCluster(JsonNode body)
    {
        var entities = Incidents.Entities(body);
        entities.Add(Incidents.Entity("AzureResource", new JsonObject { ["resourceId"] = DrCluster, ["friendlyName"] = "aks-shop-dr" }));
        entities.Add(Incidents.Entity("KubernetesCluster", new JsonObject
        {
            ["name"] = "aks-shop-dr",
            ["cloudResource"] = new JsonObject { ["resourceId"] = DrCluster },
        }));
        return body;
    }

    /// <summary>sentinel-incident.json as a tree to add entities to.</summary>
    private static class Incidents
    {
        public static JsonNode Load() => JsonNode.Parse(Payloads.Load("sentinel-incident.json").ToString())!;

        public static JsonArray Entities(JsonNode body) => body["object"]!["properties"]!["relatedEntities"]!.AsArray();

        public static JsonObject Entity(string kind, JsonObject properties) => new() { ["kind"] = kind, ["properties"] = properties };

        public static BinaryData Body(JsonNode body) => BinaryData.FromString(body.ToJsonString());
    }
}
