using System.Text.Json.Nodes;
using KubeSim;

namespace Containment.Tests.KubeSim;

/// <summary>
/// KubeSim's ReplicaSet controller, as a quarantine and its release meet it on a cluster: a pod relabelled out of its
/// ReplicaSet is let go and replaced, one relabelled back is taken back, and the ReplicaSet then deletes the pod its
/// scale-down order puts first.
/// </summary>
public sealed class KubeSimReplicaSetTests
{
    private const string Seed = """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: Node, metadata: {name: node-a}}
        - {apiVersion: v1, kind: Node, metadata: {name: node-b}}
        - apiVersion: apps/v1
          kind: ReplicaSet
          metadata: {name: web-5c8f, namespace: shop, uid: uid-in-the-seed, creationTimestamp: "2026-11-02T09:14:03Z"}
          spec:
            replicas: 2
            selector: {matchLabels: {app: web, pod-template-hash: 5c8f}}
            template:
              metadata: {labels: {app: web, pod-template-hash: 5c8f}}
              spec: {containers: [{name: web, image: nginx}]}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-5c8f-aaaaa
            namespace: shop
            creationTimestamp: "2026-11-02T09:14:05Z"
            labels: {app: web, pod-template-hash: 5c8f}
            ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5c8f, uid: uid-in-the-seed, controller: true, blockOwnerDeletion: true}]
          spec: {nodeName: node-a, containers: [{name: web, image: nginx}]}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-5c8f-bbbbb
            namespace: shop
            creationTimestamp: "2026-11-02T09:14:05Z"
            labels: {app: web, pod-template-hash: 5c8f}
            ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5c8f, uid: uid-in-the-seed, controller: true, blockOwnerDeletion: true}]
          spec: {nodeName: node-b, containers: [{name: web, image: nginx}]}
        """;

    private const string Pod = "web-5c8f-aaaaa";
    private const string Quarantine = """{"metadata":{"labels":{"app":null,"pod-template-hash":null,"quarantine":"q"}}}""";
    private const string LabelsBack = """{"metadata":{"labels":{"app":"web","pod-template-hash":"5c8f","quarantine":null}}}""";

    [Fact]
    public async Task Seed_OwnerReferencesNameTheOwnersNewUid_CreationTimesKept()
    {
        await using var sim = await StartAsync();

        var replicaSet = await GetAsync(sim, ResourceCatalog.ReplicaSets, "web-5c8f");
        var pod = await GetAsync(sim, ResourceCatalog.Pods, Pod);

        var uid = (string)replicaSet["metadata"]!["uid"]!;
        Assert.NotEqual("uid-in-the-seed", uid);
        Assert.Equal(uid, (string?)pod["metadata"]!["ownerReferences"]![0]!["uid"]);
        Assert.Equal("2026-11-02T09:14:05Z", (string?)pod["metadata"]!["creationTimestamp"]);
    }

    [Fact]
    public async Task RelabelledOut_AnswerStillOwned_ThenLetGoAndReplaced_AStalePatchMeets409()
    {
        await using var sim = await StartAsync();

        var answer = await PatchAsync(sim, Pod, Quarantine);
        var stored = await GetAsync(sim, ResourceCatalog.Pods, Pod);

        Assert.NotNull(answer["metadata"]!["ownerReferences"]);
        Assert.Null(stored["metadata"]!["ownerReferences"]);
        Assert.True(long.Parse((string)stored["metadata"]!["resourceVersion"]!) > long.Parse((string)answer["metadata"]!["resourceVersion"]!));
        var stale = await Assert.ThrowsAsync<KubeApiException>(() => PatchAsync(sim, Pod, $$"""{"metadata":{"resourceVersion":"{{answer["metadata"]!["resourceVersion"]}}","labels":{"x":"y"} } }"""));
        Assert.Equal(409, stale.Code);
        var owned = await OwnedAsync(sim);
        Assert.Equal(2, owned.Count);
        var replacement = Assert.Single(owned, pod => (string)pod["metadata"]!["name"]! != "web-5c8f-bbbbb")!;
        Assert.StartsWith("web-5c8f-", (string)replacement["metadata"]!["name"]!, StringComparison.Ordinal);
        Assert.Equal("node-a", (string?)replacement["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task RelabelledBack_TakenBack_TheYoungerReplacementDeleted_PodExactlyAsBefore()
    {
        await using var sim = await StartAsync();
        var before = await GetAsync(sim, ResourceCatalog.Pods, Pod);
        await PatchAsync(sim, Pod, Quarantine);

        await PatchAsync(sim, Pod, LabelsBack);

        var after = await GetAsync(sim, ResourceCatalog.Pods, Pod);
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["ownerReferences"], after["metadata"]!["ownerReferences"]), after.ToJsonString());
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["labels"], after["metadata"]!["labels"]));
        Assert.Equal([Pod, "web-5c8f-bbbbb"], (await OwnedAsync(sim)).Select(Name));
        Assert.Equal(2, (await AllPodsAsync(sim)).Count);
    }

    [Fact]
    public async Task RelabelledBack_WithTheLowerDeletionCost_ItIsThePodDeleted()
    {
        await using var sim = await StartAsync();
        await PatchAsync(sim, Pod, Quarantine);
        await PatchAsync(sim, Pod, $$"""{"metadata":{"annotations":{"{{ScaleDownOrder.PodDeletionCostAnnotation}}":"-100"} } }""");

        await PatchAsync(sim, Pod, LabelsBack);

        Assert.Null(await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", Pod, CancellationToken.None));
        var owned = await OwnedAsync(sim);
        Assert.Equal(2, owned.Count);
        Assert.Contains("web-5c8f-bbbbb", owned.Select(Name));
    }

    [Fact]
    public async Task RelabelledBack_OntoANodeHoldingMoreOfItsPods_OneOfThoseGoes_NotTheYoungerPodElsewhere()
    {
        await using var sim = await StartAsync(Seed.Replace("spec: {nodeName: node-b", "spec: {nodeName: node-a", StringComparison.Ordinal));
        await sim.Store.PatchAsync(ResourceCatalog.Nodes, null, "node-a", "application/merge-patch+json", JsonNode.Parse("""{"spec":{"unschedulable":true}}""")!, CancellationToken.None);
        await PatchAsync(sim, Pod, Quarantine);
        var replacement = Name(Assert.Single(await OwnedAsync(sim), pod => Name(pod) != "web-5c8f-bbbbb"));

        await PatchAsync(sim, Pod, LabelsBack);

        var owned = (await OwnedAsync(sim)).Select(Name).ToList();
        Assert.Equal(2, owned.Count);
        Assert.Contains(replacement, owned);
        Assert.Equal("node-b", (string?)(await GetAsync(sim, ResourceCatalog.Pods, replacement))["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task OwnedPodDeleted_ReplacementStarted()
    {
        await using var sim = await StartAsync();

        await sim.Store.DeleteAsync(ResourceCatalog.Pods, "shop", Pod, CancellationToken.None);

        var owned = (await OwnedAsync(sim)).Select(Name).ToList();
        Assert.Equal(2, owned.Count);
        Assert.DoesNotContain(Pod, owned);
    }

    [Fact]
    public async Task ScaledToZero_ItsPodsDeleted_APodItLetGoStays_AndIsDeletedWhenRelabelledBack()
    {
        await using var sim = await StartAsync();
        await PatchAsync(sim, Pod, Quarantine);

        await sim.Store.PatchAsync(ResourceCatalog.ReplicaSets, "shop", "web-5c8f", "application/merge-patch+json", JsonNode.Parse("""{"spec":{"replicas":0}}""")!, CancellationToken.None);

        Assert.Equal([Pod], (await AllPodsAsync(sim)).Select(Name));
        var answer = await PatchAsync(sim, Pod, LabelsBack);
        Assert.Equal("web", (string?)answer["metadata"]!["labels"]!["app"]);
        Assert.Empty(await AllPodsAsync(sim));
    }

    private static async Task<KubeSimServer> StartAsync(string seed = Seed) =>
        await KubeSimServer.StartAsync(new KubeSimOptions { Seed = seed }, CancellationToken.None);

    private static async Task<JsonObject> GetAsync(KubeSimServer sim, ResourceKind kind, string name) =>
        (await sim.Store.GetAsync(kind, "shop", name, CancellationToken.None))!;

    private static Task<JsonObject> PatchAsync(KubeSimServer sim, string pod, string patch) =>
        sim.Store.PatchAsync(ResourceCatalog.Pods, "shop", pod, "application/merge-patch+json", JsonNode.Parse(patch)!, CancellationToken.None);

    private static async Task<IReadOnlyList<JsonObject>> AllPodsAsync(KubeSimServer sim) =>
        (await sim.Store.ListAsync(ResourceCatalog.Pods, "shop", LabelSelector.Everything, new Dictionary<string, string>(), CancellationToken.None)).Items;

    private static async Task<IReadOnlyList<JsonObject>> OwnedAsync(KubeSimServer sim) =>
        (await AllPodsAsync(sim)).Where(pod => (string?)pod["metadata"]!["ownerReferences"]?[0]?["name"] == "web-5c8f").ToList();

    private static string Name(JsonObject pod) => (string)pod["metadata"]!["name"]!;
}
