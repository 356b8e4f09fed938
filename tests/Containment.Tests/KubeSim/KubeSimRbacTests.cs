using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using global::KubeSim;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Containment.Tests.KubeSim;

/// <summary>KubeSim with <see cref="KubeSimOptions.Rbac"/>: bearer tokens, RBAC roles and bindings, and the API server's 401 and 403.</summary>
public sealed class KubeSimRbacTests
{
    private const string AliceToken = "alice-token";
    private const string ShopPod = "/api/v1/namespaces/shop/pods/web-7d9f-abcde";

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-known-token")]
    [InlineData("Bearer ")]
    [InlineData("Basic a3ViZXNpbTprdWJlc2lt")]
    public async Task Rbac_NoKnownBearerToken_UnauthorizedStatusCountedNotCarriedOut(string? authorization)
    {
        await using var sim = await StartAsync();
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, ShopPod);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"""),
            status), status.ToJsonString());
        Assert.Equal(1, sim.Requests.Count("GET", ShopPod));
        Assert.Equal(0, sim.Requests.CarriedOut("GET", ShopPod));
    }

    [Fact]
    public async Task Rbac_AdminToken_AllowedEverything()
    {
        await using var sim = await StartAsync();
        using var admin = Client(sim, KubeSimServer.AdminToken);

        using var get = await admin.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var list = await admin.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));
        using var patch = await PatchAsync(admin, "/api/v1/nodes/aks-nodepool1-0", """{"spec":{"unschedulable":true}}""");
        using var create = await PostAsync(admin, "/apis/rbac.authorization.k8s.io/v1/clusterroles", """{"metadata":{"name":"containment:reader"},"rules":[]}""");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.NotNull(await sim.Store.GetAsync(ResourceCatalog.ClusterRoles, null, "containment:reader", CancellationToken.None));
    }

    [Theory]
    [InlineData("GET", ShopPod, "pods \"web-7d9f-abcde\" is forbidden: User \"alice\" cannot get resource \"pods\" in API group \"\" in the namespace \"shop\"", """{"name":"web-7d9f-abcde","kind":"pods"}""")]
    [InlineData("PATCH", "/api/v1/nodes/aks-nodepool1-0", """nodes "aks-nodepool1-0" is forbidden: User "alice" cannot patch resource "nodes" in API group "" at the cluster scope""", """{"name":"aks-nodepool1-0","kind":"nodes"}""")]
    [InlineData("GET", "/api/v1/pods", """pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope""", """{"kind":"pods"}""")]
    [InlineData("GET", "/api/v1/namespaces/shop/pods?watch=true", "pods is forbidden: User \"alice\" cannot watch resource \"pods\" in API group \"\" in the namespace \"shop\"", """{"kind":"pods"}""")]
    [InlineData("POST", "/api/v1/namespaces/shop/pods", "pods is forbidden: User \"alice\" cannot create resource \"pods\" in API group \"\" in the namespace \"shop\"", """{"kind":"pods"}""")]
    [InlineData("PUT", ShopPod, "pods \"web-7d9f-abcde\" is forbidden: User \"alice\" cannot update resource \"pods\" in API group \"\" in the namespace \"shop\"", """{"name":"web-7d9f-abcde","kind":"pods"}""")]
    [InlineData("DELETE", "/api/v1/namespaces/shop/pods", "pods is forbidden: User \"alice\" cannot deletecollection resource \"pods\" in API group \"\" in the namespace \"shop\"", """{"kind":"pods"}""")]
    [InlineData("GET", "/api/v1/namespaces/shop", "namespaces \"shop\" is forbidden: User \"alice\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"shop\"", """{"name":"shop","kind":"namespaces"}""")]
    [InlineData(
        "DELETE",
        "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/quarantine-x",
        "networkpolicies.networking.k8s.io \"quarantine-x\" is forbidden: User \"alice\" cannot delete resource \"networkpolicies\" in API group \"networking.k8s.io\" in the namespace \"shop\"",
        """{"name":"quarantine-x","group":"networking.k8s.io","kind":"networkpolicies"}""")]
    public async Task Rbac_UserWithoutBinding_ForbiddenWordedAsTheApiServer(string method, string path, string message, string details)
    {
        await using var sim = await StartAsync();
        using var alice = Client(sim, AliceToken);

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("""{"metadata":{"name":"web-7d9f-abcde"}}""", Encoding.UTF8, method == "PATCH" ? "application/merge-patch+json" : "application/json");
        }

        using var response = await alice.SendAsync(request);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var expected = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = "Forbidden",
            ["details"] = JsonNode.Parse(details),
            ["code"] = 403,
        };
        Assert.True(JsonNode.DeepEquals(expected, status), status.ToJsonString());
        Assert.Equal(0, sim.Requests.CarriedOut(method, path.Split('?')[0]));
    }

    [Fact]
    public async Task Rbac_ClusterRoleBinding_AllowsExactlyTheRoleVerbs()
    {
        await using var sim = await StartAsync();
        await AddClusterRoleAsync(sim, "pod-reader", Rule("", "pods", "get", "list"));
        await BindAsync(sim, null, "alice-reads-pods", "ClusterRole", "pod-reader", User("alice"));
        using var alice = Client(sim, AliceToken);

        using var get = await alice.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var list = await alice.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));
        using var patch = await PatchAsync(alice, ShopPod, """{"metadata":{"labels":{"tier":"back"}}}""");
        using var nodes = await alice.GetAsync(new Uri("/api/v1/nodes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        Assert.Equal(
            "pods \"web-7d9f-abcde\" is forbidden: User \"alice\" cannot patch resource \"pods\" in API group \"\" in the namespace \"shop\"",
            await MessageAsync(patch));
        Assert.Equal(HttpStatusCode.Forbidden, nodes.StatusCode);
        Assert.Equal("front", (string?)(await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public async Task Rbac_RoleBinding_GrantsOnlyInItsNamespace()
    {
        await using var sim = await StartAsync();
        await sim.Store.CreateAsync(ResourceCatalog.Roles, "shop", Role("pod-reader", Rule("", "pods", "get", "list")), CancellationToken.None);
        await BindAsync(sim, "shop", "alice-reads-pods", "Role", "pod-reader", User("alice"));
        using var alice = Client(sim, AliceToken);

        using var inShop = await alice.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var listShop = await alice.GetAsync(new Uri("/api/v1/namespaces/shop/pods", UriKind.Relative));
        using var inPayments = await alice.GetAsync(new Uri("/api/v1/namespaces/payments/pods/payments-0", UriKind.Relative));
        using var clusterWide = await alice.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, inShop.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listShop.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, inPayments.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, clusterWide.StatusCode);
    }

    [Fact]
    public async Task Rbac_RoleBindingToClusterRole_GrantsItsRulesInTheBindingNamespaceOnly()
    {
        await using var sim = await StartAsync();
        await AddClusterRoleAsync(sim, "pod-reader", Rule("", "pods", "get"));
        await BindAsync(sim, "payments", "alice-reads-pods", "ClusterRole", "pod-reader", User("alice"));
        using var alice = Client(sim, AliceToken);

        using var inPayments = await alice.GetAsync(new Uri("/api/v1/namespaces/payments/pods/payments-0", UriKind.Relative));
        using var inShop = await alice.GetAsync(new Uri(ShopPod, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, inPayments.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, inShop.StatusCode);
    }

    [Fact]
    public async Task Rbac_GroupSubject_GrantsTheGroupMembersOnly()
    {
        await using var sim = await StartAsync();
        sim.AddUser("bob-token", "bob", "incident-responders");
        await AddClusterRoleAsync(sim, "node-cordoner", Rule("", "nodes", "get", "patch"));
        await BindAsync(sim, null, "responders-cordon", "ClusterRole", "node-cordoner", Group("incident-responders"));
        using var bob = Client(sim, "bob-token");
        using var alice = Client(sim, AliceToken);

        using var bobPatch = await PatchAsync(bob, "/api/v1/nodes/aks-nodepool1-0", """{"spec":{"unschedulable":true}}""");
        using var alicePatch = await PatchAsync(alice, "/api/v1/nodes/aks-nodepool1-0", """{"spec":{"unschedulable":true}}""");

        Assert.Equal(HttpStatusCode.OK, bobPatch.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, alicePatch.StatusCode);
    }

    [Fact]
    public async Task Rbac_SystemAuthenticatedGroup_GrantsEveryUser()
    {
        await using var sim = await StartAsync();
        await AddClusterRoleAsync(sim, "node-viewer", Rule("", "nodes", "get"));
        await BindAsync(sim, null, "everyone-views-nodes", "ClusterRole", "node-viewer", Group("system:authenticated"));
        using var alice = Client(sim, AliceToken);

        using var get = await alice.GetAsync(new Uri("/api/v1/nodes/aks-nodepool1-0", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task Rbac_ServiceAccountSubject_GrantsItsUserName()
    {
        await using var sim = await StartAsync();
        sim.AddUser("responder-token", "system:serviceaccount:containment:responder", "system:serviceaccounts");
        await sim.Store.CreateAsync(ResourceCatalog.Roles, "shop", Role("pod-reader", Rule("", "pods", "get")), CancellationToken.None);
        await BindAsync(sim, "shop", "responder-reads", "Role", "pod-reader", new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "responder", ["namespace"] = "containment" });
        using var responder = Client(sim, "responder-token");

        using var get = await responder.GetAsync(new Uri(ShopPod, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task Rbac_ResourceNames_LimitTheRuleToThoseObjects()
    {
        await using var sim = await StartAsync();
        var rule = Rule("", "pods", "get", "list", "patch");
        rule["resourceNames"] = new JsonArray("web-7d9f-abcde");
        await AddClusterRoleAsync(sim, "one-pod", rule);
        await BindAsync(sim, null, "alice-one-pod", "ClusterRole", "one-pod", User("alice"));
        using var alice = Client(sim, AliceToken);

        using var named = await alice.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var other = await alice.GetAsync(new Uri("/api/v1/namespaces/shop/pods/hostnet", UriKind.Relative));
        using var list = await alice.GetAsync(new Uri("/api/v1/namespaces/shop/pods", UriKind.Relative));
        using var listOfTheName = await alice.GetAsync(new Uri("/api/v1/namespaces/shop/pods?fieldSelector=metadata.name%3Dweb-7d9f-abcde", UriKind.Relative));
        using var create = await PostAsync(alice, "/api/v1/namespaces/shop/pods", """{"metadata":{"name":"web-7d9f-abcde"}}""");

        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listOfTheName.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
    }

    [Fact]
    public async Task Rbac_BindingToMissingRole_GrantsNothingUntilTheRoleIsMade()
    {
        await using var sim = await StartAsync();
        await BindAsync(sim, null, "alice-reads-pods", "ClusterRole", "pod-reader", User("alice"));
        await BindAsync(sim, "shop", "alice-reads-pods", "Role", "pod-reader", User("alice"));
        using var alice = Client(sim, AliceToken);
        using var admin = Client(sim, KubeSimServer.AdminToken);

        using var before = await alice.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var made = await PostAsync(admin, "/apis/rbac.authorization.k8s.io/v1/clusterroles", Role("pod-reader", Rule("", "pods", "get")).ToJsonString());
        using var after = await alice.GetAsync(new Uri(ShopPod, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData("/version")]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis")]
    [InlineData("/apis/rbac.authorization.k8s.io")]
    [InlineData("/apis/apps/v1")]
    [InlineData("/openapi/v2")]
    public async Task Rbac_Discovery_AllowedToAnyAuthenticatedUserOnly(string path)
    {
        await using var sim = await StartAsync();
        using var alice = Client(sim, AliceToken);
        using var anonymous = Client(sim, token: null);

        using var allowed = await alice.GetAsync(new Uri(path, UriKind.Relative));
        using var refused = await anonymous.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Rbac_OtherPath_ForbiddenNamingThePath()
    {
        await using var sim = await StartAsync();
        using var alice = Client(sim, AliceToken);

        using var response = await alice.GetAsync(new Uri("/metrics", UriKind.Relative));
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden: User \"alice\" cannot get path \"/metrics\"", (string?)status["message"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject(), status["details"]), status.ToJsonString());
    }

    [Fact]
    public async Task Rbac_AdminEndpoints_NeedNoToken()
    {
        await using var sim = await StartAsync();
        using var anonymous = Client(sim, token: null);

        using var requests = await anonymous.GetAsync(new Uri("/_kubesim/requests", UriKind.Relative));
        using var faults = await anonymous.GetAsync(new Uri("/_kubesim/faults", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, requests.StatusCode);
        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
    }

    [Fact]
    public async Task Rbac_Fault_AnswersBeforeAuthentication()
    {
        await using var sim = await StartAsync();
        sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = ShopPod, StatusCode = 503 });
        using var anonymous = Client(sim, token: null);

        using var faulted = await anonymous.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var next = await anonymous.GetAsync(new Uri(ShopPod, UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
    }

    [Fact]
    public async Task Rbac_FaultHoldingTheAnswer_StillAuthorizes()
    {
        await using var sim = await StartAsync();
        sim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = ShopPod, DelayResponse = true, Delay = TimeSpan.FromMilliseconds(1) });
        using var alice = Client(sim, AliceToken);

        using var patch = await PatchAsync(alice, ShopPod, """{"metadata":{"labels":{"tier":"back"}}}""");

        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        Assert.Equal(0, sim.Requests.CarriedOut("PATCH", ShopPod));
        Assert.Equal("front", (string?)(await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!["metadata"]!["labels"]!["tier"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-known-token")]
    public async Task Rbac_Off_AnyRequestAllowedWhateverItsToken(string? token)
    {
        await using var sim = await StartAsync(rbac: false);
        using var http = Client(sim, token);

        using var get = await http.GetAsync(new Uri(ShopPod, UriKind.Relative));
        using var patch = await PatchAsync(http, "/api/v1/nodes/aks-nodepool1-0", """{"spec":{"unschedulable":true}}""");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData(KubeSimServer.AdminToken)]
    public async Task AddUser_TokenNotOneWordOrTheAdmins_Refused(string token)
    {
        await using var sim = await StartAsync();

        Assert.Throws<ArgumentException>(() => sim.AddUser(token, "mallory"));
    }

    [Fact]
    public async Task Rbac_KubernetesClientFromUserKubeconfig_ReadsButCannotPatch()
    {
        await using var sim = await StartAsync();
        await AddClusterRoleAsync(sim, "pod-reader", Rule("", "pods", "get", "list"));
        await BindAsync(sim, null, "alice-reads-pods", "ClusterRole", "pod-reader", User("alice"));
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kubesim-alice-{Guid.NewGuid():N}.kubeconfig");
        await sim.WriteKubeconfigAsync(kubeconfig, AliceToken);
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

            var pods = await client.CoreV1.ListNamespacedPodAsync("shop");
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedPodAsync(
                new V1Patch("""{"metadata":{"labels":{"tier":"back"}}}""", V1Patch.PatchType.MergePatch), "web-7d9f-abcde", "shop"));

            Assert.Contains(pods.Items, pod => pod.Metadata.Name == "web-7d9f-abcde");
            Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
            Assert.Contains(sim.Requests.Authorizations, a => a == $"Bearer {AliceToken}");
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task Kubectl_ApplyRolesAsAdmin_UserGetsPodsButCannotDeleteOne()
    {
        Assert.True(File.Exists(KubectlRunner.Path), KubectlRunner.Missing);
        await using var sim = await StartAsync();
        var dir = Directory.CreateTempSubdirectory("kubesim-rbac-");
        try
        {
            var adminConfig = Path.Combine(dir.FullName, "admin.kubeconfig");
            var aliceConfig = Path.Combine(dir.FullName, "alice.kubeconfig");
            var manifest = Path.Combine(dir.FullName, "reader.yaml");
            await sim.WriteKubeconfigAsync(adminConfig);
            await sim.WriteKubeconfigAsync(aliceConfig, AliceToken);
            await File.WriteAllTextAsync(manifest, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: containment:pod-reader
                rules:
                - apiGroups: [""]
                  resources: ["pods"]
                  verbs: ["get", "list", "watch"]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: containment:pod-reader
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: containment:pod-reader
                subjects:
                - apiGroup: rbac.authorization.k8s.io
                  kind: User
                  name: alice
                """);

            var (applyExit, applyOut, applyErr) = await KubectlRunner.RunAsync(adminConfig, dir.FullName, "apply", "-f", manifest);
            var (reapplyExit, reapplyOut, reapplyErr) = await KubectlRunner.RunAsync(adminConfig, dir.FullName, "apply", "-f", manifest);
            var (getExit, getOut, getErr) = await KubectlRunner.RunAsync(aliceConfig, dir.FullName, "get", "pods", "-n", "shop", "-o", "name");
            var (deleteExit, _, deleteErr) = await KubectlRunner.RunAsync(aliceConfig, dir.FullName, "delete", "pod", "web-7d9f-abcde", "-n", "shop");

            Assert.True(applyExit == 0, applyErr);
            Assert.Contains("clusterrolebinding.rbac.authorization.k8s.io/containment:pod-reader created", applyOut, StringComparison.Ordinal);
            Assert.True(reapplyExit == 0, reapplyErr);
            Assert.Contains("clusterrole.rbac.authorization.k8s.io/containment:pod-reader unchanged", reapplyOut, StringComparison.Ordinal);
            Assert.True(getExit == 0, getErr);
            Assert.Contains("pod/web-7d9f-abcde", getOut, StringComparison.Ordinal);
            Assert.NotEqual(0, deleteExit);
            Assert.Contains(
                "pods \"web-7d9f-abcde\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"shop\"",
                deleteErr,
                StringComparison.Ordinal);
            Assert.NotNull(await sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AccessReview_AnswersAsTheUsersOwnRequestsAreAnswered(bool rbac)
    {
        await using var sim = await StartAsync(rbac);
        await AddClusterRoleAsync(sim, "pod-reader", Rule("", "pods", "get"));
        await BindAsync(sim, null, "alice-reads-pods", "ClusterRole", "pod-reader", User("alice"));
        using var alice = Client(sim, AliceToken);

        var get = await ReviewAsync(alice, """{"resourceAttributes":{"namespace":"shop","verb":"get","resource":"pods"}}""");
        var patch = await ReviewAsync(alice, """{"resourceAttributes":{"namespace":"shop","verb":"patch","resource":"pods","name":"web-7d9f-abcde"}}""");
        var nodes = await ReviewAsync(alice, """{"resourceAttributes":{"verb":"list","resource":"nodes"}}""");
        var metrics = await ReviewAsync(alice, """{"nonResourceAttributes":{"verb":"get","path":"/metrics"}}""");

        Assert.Equal((true, !rbac, !rbac, !rbac), (get, patch, nodes, metrics));
    }

    [Fact]
    public async Task AccessReview_NoToken_Unauthorized_NeitherAttributes_Invalid()
    {
        await using var sim = await StartAsync();
        using var anonymous = Client(sim, token: null);
        using var alice = Client(sim, AliceToken);

        using var unauthenticated = await PostAsync(anonymous, AccessReviewPath, """{"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}""");
        using var empty = await PostAsync(alice, AccessReviewPath, """{"spec":{}}""");

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
    }

    private const string AccessReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

    private static async Task<bool> ReviewAsync(HttpClient http, string spec)
    {
        using var response = await PostAsync(http, AccessReviewPath, $$"""{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{{spec}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!["allowed"]!.GetValue<bool>();
    }

    private static async Task<KubeSimServer> StartAsync(bool rbac = true)
    {
        var sim = await KubeSimServer.StartAsync(new KubeSimOptions { Rbac = rbac, Seed = KubeSimSeeds.Shop }, CancellationToken.None);
        sim.AddUser(AliceToken, "alice");
        return sim;
    }

    private static HttpClient Client(KubeSimServer sim, string? token)
    {
        var http = new HttpClient { BaseAddress = sim.BaseUrl };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient http, string path, string mergePatch) =>
        http.PatchAsync(new Uri(path, UriKind.Relative), new StringContent(mergePatch, Encoding.UTF8, "application/merge-patch+json"));

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json) =>
        http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<string?> MessageAsync(HttpResponseMessage response) =>
        (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"];

    private static JsonObject Rule(string group, string resource, params string[] verbs) => new()
    {
        ["apiGroups"] = new JsonArray(group),
        ["resources"] = new JsonArray(resource),
        ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]),
    };

    private static JsonObject Role(string name, params JsonObject[] rules) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["rules"] = new JsonArray([.. rules]),
    };

    private static JsonObject User(string name) => new() { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = name };

    private static JsonObject Group(string name) => new() { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = name };

    private static Task<JsonObject> AddClusterRoleAsync(KubeSimServer sim, string name, params JsonObject[] rules) =>
        sim.Store.CreateAsync(ResourceCatalog.ClusterRoles, null, Role(name, rules), CancellationToken.None);

    /// <summary>A ClusterRoleBinding (no namespace) or a RoleBinding in <paramref name="ns"/>, made in the store.</summary>
    private static Task<JsonObject> BindAsync(KubeSimServer sim, string? ns, string name, string roleKind, string roleName, JsonObject subject) =>
        sim.Store.CreateAsync(
            ns is null ? ResourceCatalog.ClusterRoleBindings : ResourceCatalog.RoleBindings,
            ns,
            new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name },
                ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = roleName },
                ["subjects"] = new JsonArray(subject),
            },
            CancellationToken.None);
}
