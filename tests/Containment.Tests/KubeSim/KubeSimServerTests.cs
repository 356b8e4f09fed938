using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Containment.Tests.Support;
using global::KubeSim;

namespace Containment.Tests.KubeSim;

public sealed class KubeSimServerTests
{
    [Fact]
    public async Task StartAsync_SeedList_PodsRunningWithIps()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        var pod = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/shop/pods/web-7d9f-abcde"))!;

        Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(pod["status"]!["podIP"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(pod["metadata"]!["uid"]!.GetValue<string>()));
        Assert.Equal(80, pod["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"]!.GetValue<long>());
    }

    [Fact]
    public async Task Get_MissingPod_NotFoundStatus()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        using var response = await http.GetAsync(new Uri("/api/v1/namespaces/shop/pods/nope", UriKind.Relative));
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal(404, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Put_StaleResourceVersion_Conflict()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var pod = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/payments/pods/payments-0"))!;
        pod["metadata"]!["resourceVersion"] = "1";

        using var content = new StringContent(pod.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri("/api/v1/namespaces/payments/pods/payments-0", UriKind.Relative), content);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("resourceVersion", "1", "Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ")]
    [InlineData("uid", "another-uid", "Precondition failed: UID in precondition: another-uid, UID in object meta: ")]
    public async Task Delete_PreconditionTheObjectNoLongerMeets_ConflictAndKept(string field, string value, string says)
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var path = new Uri("/api/v1/namespaces/payments/pods/payments-0", UriKind.Relative);

        using var stale = new HttpRequestMessage(HttpMethod.Delete, path) { Content = new StringContent(new JsonObject { ["preconditions"] = new JsonObject { [field] = value } }.ToJsonString(), Encoding.UTF8, "application/json") };
        using var refused = await http.SendAsync(stale);
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        var metadata = JsonNode.Parse(await http.GetStringAsync(path))!["metadata"]!;
        using var current = new HttpRequestMessage(HttpMethod.Delete, path)
        {
            Content = new StringContent(new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = (string?)metadata["uid"], ["resourceVersion"] = (string?)metadata["resourceVersion"] } }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var deleted = await http.SendAsync(current);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.StartsWith($"Operation cannot be fulfilled on pods \"payments-0\": {says}", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Null(await sim.Store.GetAsync(ResourceCatalog.Pods, "payments", "payments-0", CancellationToken.None));
    }

    [Fact]
    public async Task Post_ExistingName_AlreadyExists()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        using var content = new StringContent("""{"metadata":{"name":"payments-0"},"spec":{"containers":[]}}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/api/v1/namespaces/payments/pods", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("AlreadyExists", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_InvalidName_Invalid()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        using var content = new StringContent("""{"metadata":{"name":"Not_Valid"},"spec":{}}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Invalid", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("app=web", 1)]
    [InlineData("app==web,tier=front", 1)]
    [InlineData("app!=web", 2)]
    [InlineData("app in (web,static)", 2)]
    [InlineData("app notin (web)", 2)]
    [InlineData("tier", 1)]
    [InlineData("!tier", 2)]
    public async Task List_LabelSelector_MatchingPods(string selector, int expected)
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        var list = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/shop/pods?labelSelector={Uri.EscapeDataString(selector)}"))!;

        Assert.Equal(expected, list["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task List_NamespacedAndClusterWide_ThatNamespaceAloneOrAllInNamespaceThenNameOrder()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        foreach (var (ns, name) in new[] { ("zeta", "b"), ("alpha", "c"), ("mid", "x"), ("zeta", "a"), ("alpha", "a") })
        {
            await sim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, CancellationToken.None);
        }

        var zeta = await ListedAsync(http, "/apis/networking.k8s.io/v1/namespaces/zeta/networkpolicies");
        var everywhere = await ListedAsync(http, "/apis/networking.k8s.io/v1/networkpolicies");

        Assert.Equal(["zeta/a", "zeta/b"], zeta);
        Assert.Equal(["alpha/a", "alpha/c", "mid/x", "zeta/a", "zeta/b"], everywhere);
    }

    [Fact]
    public async Task List_AfterReplaceAndDelete_SelectsByTheLabelsStoredNow()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        const string Policies = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies";
        var created = await sim.Store.CreateAsync(
            ResourceCatalog.NetworkPolicies, "shop", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "fence", ["labels"] = new JsonObject { ["stage"] = "one" } } }, CancellationToken.None);
        created["metadata"]!["labels"] = new JsonObject { ["stage"] = "two" };
        await sim.Store.ReplaceAsync(ResourceCatalog.NetworkPolicies, "shop", "fence", created, CancellationToken.None);

        var stageOne = await ListedAsync(http, $"{Policies}?labelSelector=stage%3Done");
        var stageTwo = await ListedAsync(http, $"{Policies}?labelSelector=stage%3Dtwo");
        await sim.Store.DeleteAsync(ResourceCatalog.NetworkPolicies, "shop", "fence", CancellationToken.None);
        var afterDelete = await ListedAsync(http, $"{Policies}?labelSelector=stage");

        Assert.Empty(stageOne);
        Assert.Equal(["shop/fence"], stageTwo);
        Assert.Empty(afterDelete);
    }

    [Fact]
    public async Task List_FieldSelectorOnName_OnePod()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        var list = JsonNode.Parse(await http.GetStringAsync("/api/v1/pods?fieldSelector=metadata.name%3Dhostnet,metadata.namespace%3Dshop"))!;

        Assert.Equal("hostnet", Assert.Single(list["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_JsonPatch_AppliesOperations()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        using var content = new StringContent("""[{"op":"add","path":"/metadata/labels/extra","value":"1"},{"op":"remove","path":"/metadata/labels/app"}]""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json-patch+json");
        using var response = await http.PatchAsync(new Uri("/api/v1/namespaces/payments/pods/payments-0", UriKind.Relative), content);
        var labels = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["metadata"]!["labels"]!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"extra":"1"}""", labels.ToJsonString());
    }

    [Fact]
    public async Task Patch_StrategicMergeOnNode_SetsUnschedulable()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        using var content = new StringContent("""{"spec":{"unschedulable":true}}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/strategic-merge-patch+json");
        using var response = await http.PatchAsync(new Uri("/api/v1/nodes/aks-nodepool1-0", UriKind.Relative), content);

        Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["spec"]!["unschedulable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Patch_PodLeavesReplicaSetSelector_ReplacementStartedAndPodKept()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        using var content = new StringContent("""{"metadata":{"labels":{"app":null,"tier":null,"q":"1"}}}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await http.PatchAsync(new Uri("/api/v1/namespaces/shop/pods/web-7d9f-abcde", UriKind.Relative), content);
        var replacements = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb"))!["items"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replacement = Assert.Single(replacements)!;
        Assert.StartsWith("web-7d9f-", replacement["metadata"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual("web-7d9f-abcde", replacement["metadata"]!["name"]!.GetValue<string>());
        Assert.NotNull(await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
    }

    [Fact]
    public async Task Discovery_CiliumOff_GroupAbsent()
    {
        await using var sim = await KubeSimFixture.StartAsync(cilium: false);
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        var groups = await http.GetStringAsync("/apis");
        using var cilium = await http.GetAsync(new Uri("/apis/cilium.io/v2", UriKind.Relative));

        Assert.DoesNotContain("cilium.io", groups, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, cilium.StatusCode);
    }

    [Fact]
    public async Task Discovery_CiliumOn_ServesCiliumNetworkPolicies()
    {
        await using var sim = await KubeSimFixture.StartAsync(cilium: true);
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        var resources = await http.GetStringAsync("/apis/cilium.io/v2");

        Assert.Contains("ciliumnetworkpolicies", resources, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_AdminEndpoint_NextRequestFailsThenRecovers()
    {
        await using var sim = await KubeSimFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        using var fault = new StringContent("""{"method":"GET","pathPrefix":"/api/v1/namespaces/shop/pods","statusCode":429,"retryAfterSeconds":2,"count":1}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("/_kubesim/faults", UriKind.Relative), fault)).Dispose();

        using var first = await http.GetAsync(new Uri("/api/v1/namespaces/shop/pods", UriKind.Relative));
        using var second = await http.GetAsync(new Uri("/api/v1/namespaces/shop/pods", UriKind.Relative));
        var counts = JsonNode.Parse(await http.GetStringAsync("/_kubesim/requests"))!;

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal("2", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, counts["GET /api/v1/namespaces/shop/pods"]!.GetValue<int>());
    }

    [Fact]
    public async Task SeedAsync_JsonList_ObjectsAndNamespaceCreated()
    {
        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions
        {
            Seed = """{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"demo","resourceVersion":"999","uid":"old"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}]}""",
        }, CancellationToken.None);

        var pod = await sim.Store.GetAsync(ResourceCatalog.Pods, "demo", "a", CancellationToken.None);
        var ns = await sim.Store.GetAsync(ResourceCatalog.Namespaces, null, "demo", CancellationToken.None);

        Assert.NotNull(ns);
        Assert.Equal("Running", pod!["status"]!["phase"]!.GetValue<string>());
        Assert.NotEqual("999", pod["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.NotEqual("old", pod["metadata"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Faults_Delay_HeldUntilFakeTimeAdvances()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var sim = await KubeSimFixture.StartAsync(timeProvider: time);
        sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = "/api/v1/nodes", Delay = TimeSpan.FromSeconds(5) });
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };

        var start = time.GetUtcNow();
        var pending = http.GetStringAsync(new Uri("/api/v1/nodes", UriKind.Relative));
        var early = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System));
        var limit = RealTimeLimit.Start();
        while (!pending.IsCompleted)
        {
            limit.Check("the delayed request was not answered");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System));
        }

        var body = await pending;

        Assert.NotSame(pending, early);
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromSeconds(5));
        Assert.Contains("aks-nodepool1-0", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_GetAndLabel_WorkAgainstKubeSim()
    {
        Assert.True(File.Exists(KubectlRunner.Path), KubectlRunner.Missing);
        await using var sim = await KubeSimFixture.StartAsync();
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kubesim-{Guid.NewGuid():N}.kubeconfig");
        await sim.WriteKubeconfigAsync(kubeconfig);
        try
        {
            var (getExit, getOut, getErr) = await KubectlRunner.RunAsync(kubeconfig, null, "get", "pods,networkpolicies", "-n", "shop", "-o", "json");
            var list = JsonNode.Parse(getOut)!;
            var (labelExit, _, labelErr) = await KubectlRunner.RunAsync(kubeconfig, null, "label", "pod", "web-7d9f-abcde", "-n", "shop", "tier=back", "--overwrite");
            var pod = await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);

            Assert.True(getExit == 0, getErr);
            Assert.Equal("List", list["kind"]!.GetValue<string>());
            Assert.Contains(list["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "web-7d9f-abcde");
            Assert.True(labelExit == 0, labelErr);
            Assert.Equal("back", pod!["metadata"]!["labels"]!["tier"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    /// <summary>The listed objects as namespace/name, in the order listed.</summary>
    private static async Task<List<string>> ListedAsync(HttpClient http, string path) =>
        [.. JsonNode.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)))!["items"]!.AsArray()
            .Select(item => $"{item!["metadata"]!["namespace"]!.GetValue<string>()}/{item["metadata"]!["name"]!.GetValue<string>()}")];
}
