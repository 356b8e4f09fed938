using System.Text.Json.Nodes;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using global::KubeSim;

namespace Containment.Tests.Isolation;

public sealed class QuarantinePodTests
{
    [Theory]
    [InlineData("shop", "nope", PreflightFailureReason.PodNotFound)]
    [InlineData("kube-system", "coredns-1", PreflightFailureReason.NamespaceProtected)]
    [InlineData("payments", "payments-0", PreflightFailureReason.NamespaceProtected)]
    [InlineData("shop", "hostnet", PreflightFailureReason.HostNetwork)]
    [InlineData("shop", "static-web-aks-nodepool1-0", PreflightFailureReason.MirrorPod)]
    public async Task IsolateAsync_PreflightFails_RefusedWithReasonAndNoWrites(string ns, string pod, PreflightFailureReason expected)
    {
        await using var harness = await IsolationHarness.StartAsync();

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(ns, pod), CancellationToken.None);

        Assert.Equal(IsolationStatus.Refused, outcome.Status);
        Assert.Equal(expected, outcome.Refusal!.Reason);
        Assert.Contains(ns, outcome.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Sim.Requests.Writes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IsolateAsync_FreshPod_ReadCreatesPatchAndOneVerifyingList_PoliciesNotRead(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.PreflightAsync(new PodReference(IsolationHarness.Request().Cluster, "shop", "web-7d9f-abcde"), CancellationToken.None);
        harness.Sim.Requests.Reset();

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        var expected = new Dictionary<string, int>
        {
            ["GET /api/v1/namespaces/shop/pods/web-7d9f-abcde"] = 1,
            ["POST /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies"] = 1,
            ["PATCH /api/v1/namespaces/shop/pods/web-7d9f-abcde"] = 1,
            ["GET /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies"] = 1,
        };
        if (cilium)
        {
            expected["POST /apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies"] = 1;
        }

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(expected, harness.Sim.Requests.Snapshot());
    }

    [Fact]
    public async Task IsolateAsync_HostNetworkPod_MessageSaysNetworkPolicyCannotIsolate()
    {
        await using var harness = await IsolationHarness.StartAsync();

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request("shop", "hostnet"), CancellationToken.None);

        Assert.Contains("hostNetwork", outcome.Refusal!.Message, StringComparison.Ordinal);
        Assert.Contains("NetworkPolicy cannot isolate", outcome.Refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsolateAsync_EngineConfiguredNone_RefusedNotEnforced()
    {
        await using var harness = await IsolationHarness.StartAsync(engine: nameof(NetworkPolicyEngine.None));

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(PreflightFailureReason.NetworkPolicyNotEnforced, outcome.Refusal!.Reason);
        Assert.Equal(0, harness.Sim.Requests.Writes);
    }

    [Fact]
    public async Task IsolateAsync_RunningPod_RelabelsAndAppliesDenyAllPolicy()
    {
        await using var harness = await IsolationHarness.StartAsync();

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var pod = (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!;
        var policy = (await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", "containment-quarantine-web-7d9f-abcde", CancellationToken.None))!;
        var replacements = await harness.Sim.Store.ListAsync(ResourceCatalog.Pods, "shop", LabelSelector.Parse("app=web"), new Dictionary<string, string>(), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal("iso-42", outcome.QuarantineId);
        Assert.Equal("containment-quarantine-web-7d9f-abcde", outcome.NetworkPolicyName);
        Assert.False(outcome.CiliumApplied);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front", ["pod-template-hash"] = "7d9f" }, outcome.SavedLabels);
        Assert.Equal("""{"containment.io/quarantine":"iso-42"}""", pod["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("keep me", pod["metadata"]!["annotations"]!["note"]!.GetValue<string>());
        Assert.Equal("restricted", pod["metadata"]!["annotations"]!["kubernetes.io/psp"]!.GetValue<string>());
        Assert.Equal("""{"app":"web","tier":"front","pod-template-hash":"7d9f"}""", pod["metadata"]!["annotations"]!["containment.io/saved-labels"]!.GetValue<string>());
        Assert.Equal("""{"containment.io/quarantine":"iso-42"}""", policy["spec"]!["podSelector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("""["Ingress","Egress"]""", policy["spec"]!["policyTypes"]!.ToJsonString());
        Assert.Null(policy["spec"]!["ingress"]);
        Assert.Null(policy["spec"]!["egress"]);
        Assert.Equal("containment", policy["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Single(replacements.Items);
        Assert.Contains(outcome.Warnings, w => w.Kind == IsolationWarningKind.EstablishedConnectionsKept);
    }

    [Theory]
    [InlineData(nameof(NetworkPolicyEngine.Calico), IsolationWarningKind.EstablishedConnectionsKept, "Calico keeps connections established before the policy; restart or delete the pod to cut them")]
    [InlineData(nameof(NetworkPolicyEngine.Azure), IsolationWarningKind.EstablishedConnectionsUnknown, "Azure Network Policy Manager: whether established connections survive is not documented; treat them as kept")]
    [InlineData(null, IsolationWarningKind.EngineUnknown, "the network policy engine is not known (set Containment:Clusters:<alias>:NetworkPolicyEngine): enforcement and established connections are unconfirmed")]
    public async Task IsolateAsync_WhatTheEngineDoesWithEstablishedConnections_IsTheOutcomesWarning(string? engine, IsolationWarningKind kind, string message)
    {
        await using var harness = await IsolationHarness.StartAsync(engine: engine);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Equal((kind, message), (warning.Kind, warning.Message));
    }

    [Fact]
    public async Task IsolateAsync_SecondCall_AlreadyIsolatedWithZeroWrites()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: true);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        harness.Sim.Requests.Reset();

        var second = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(IsolationStatus.AlreadyIsolated, second.Status);
        Assert.True(second.Verified);
        Assert.Equal("web", second.SavedLabels["app"]);
        Assert.Equal(0, harness.Sim.Requests.Writes);
        Assert.True(harness.Sim.Requests.Count("GET", IsolationHarness.PodPath) > 0);
    }

    [Fact]
    public async Task IsolateAsync_CiliumServed_AppliesCiliumDenyPolicy()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: true, engine: nameof(NetworkPolicyEngine.Cilium));

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var cnp = (await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", "containment-quarantine-web-7d9f-abcde", CancellationToken.None))!;

        Assert.True(outcome.CiliumApplied);
        Assert.True(outcome.Verified);
        Assert.Equal("""{"containment.io/quarantine":"iso-42"}""", cnp["spec"]!["endpointSelector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("""[{"fromEntities":["all"]}]""", cnp["spec"]!["ingressDeny"]!.ToJsonString());
        Assert.Equal("""[{"toEntities":["all"]}]""", cnp["spec"]!["egressDeny"]!.ToJsonString());
        Assert.DoesNotContain(outcome.Warnings, w => w.Kind is IsolationWarningKind.EstablishedConnectionsKept or IsolationWarningKind.CiliumPolicyBestEffort);
    }

    [Fact]
    public async Task IsolateAsync_CiliumPolicyOfThatNameChanged_ReplacedByTheDenyPolicy()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: true, engine: nameof(NetworkPolicyEngine.Cilium));
        await harness.Sim.Store.CreateAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", JsonNode.Parse("""
            {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"containment-quarantine-web-7d9f-abcde"},
             "spec":{"endpointSelector":{"matchLabels":{"containment.io/quarantine":"iso-42"}},"ingressDeny":[{"fromEntities":["world"]}]}}
            """)!.AsObject(), CancellationToken.None);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var cnp = (await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", "containment-quarantine-web-7d9f-abcde", CancellationToken.None))!;

        Assert.True(outcome.Verified);
        Assert.Equal("""[{"fromEntities":["all"]}]""", cnp["spec"]!["ingressDeny"]!.ToJsonString());
        Assert.Equal("""[{"toEntities":["all"]}]""", cnp["spec"]!["egressDeny"]!.ToJsonString());
        Assert.Equal("containment", (string?)cnp["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Equal(1, harness.Sim.Requests.Count("PUT", "/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies/containment-quarantine-web-7d9f-abcde"));
    }

    [Fact]
    public async Task IsolateAsync_CiliumAbsent_NoCiliumPolicyRequested()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: false);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.False(outcome.CiliumApplied);
        Assert.Null(outcome.CiliumNetworkPolicyName);
        Assert.Equal(0, harness.Sim.Requests.Count("POST", "/apis/cilium.io"));
        Assert.Equal(0, harness.Sim.Requests.Count("GET", "/apis/cilium.io/v2/namespaces"));
    }

    [Fact]
    public async Task IsolateAsync_AllowAllPolicyInNamespace_ReportedAsWarning()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Sim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, "shop", JsonNode.Parse("""
            {"metadata":{"name":"allow-all-ingress"},"spec":{"podSelector":{},"ingress":[{}],"policyTypes":["Ingress"]}}
            """)!.AsObject(), CancellationToken.None);
        await harness.Sim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, "shop", JsonNode.Parse("""
            {"metadata":{"name":"web-only"},"spec":{"podSelector":{"matchLabels":{"app":"web"}},"ingress":[{}]}}
            """)!.AsObject(), CancellationToken.None);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        var warning = Assert.Single(outcome.Warnings, w => w.Kind == IsolationWarningKind.OtherPolicySelectsPod);
        Assert.Equal("allow-all-ingress", warning.PolicyName);
        Assert.Contains("empty podSelector", warning.Message, StringComparison.Ordinal);
        Assert.Contains("allows traffic", warning.Message, StringComparison.Ordinal);
    }

    // Policies add allows: one that selects the quarantined pod weakens the deny-all only if a rule of a direction
    // it governs lets traffic through. Without policyTypes a policy governs ingress, and egress when it has egress rules.
    [Theory]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress","Egress"]}""", false)]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress"]}""", false)]
    [InlineData("""{"podSelector":{}}""", false)]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress"],"egress":[{}]}""", false)]
    [InlineData("""{"podSelector":{},"policyTypes":["Egress"],"ingress":[{}]}""", false)]
    [InlineData("""{"podSelector":{},"policyTypes":["Egress"],"egress":[{"ports":[{"protocol":"UDP","port":53}]}]}""", true)]
    [InlineData("""{"podSelector":{},"egress":[{"to":[{"namespaceSelector":{}}]}]}""", true)]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"gateway"}}}]}]}""", true)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"app","operator":"DoesNotExist"}]},"ingress":[{}]}""", true)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"app","operator":"NotIn","values":["web"]}]},"ingress":[{}]}""", true)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"containment.io/quarantine","operator":"Exists"}]},"egress":[{}]}""", true)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"containment.io/quarantine","operator":"In","values":["iso-42"]}]},"ingress":[{}]}""", true)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},"ingress":[{}]}""", false)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"containment.io/quarantine","operator":"NotIn","values":["iso-42"]}]},"ingress":[{}]}""", false)]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"containment.io/quarantine","operator":"DoesNotExist"}]},"ingress":[{}]}""", false)]
    public async Task IsolateAsync_OtherPolicySelectingThePod_ReportedOnlyWhenItAllowsTraffic(string spec, bool weakens)
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Sim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, "shop", JsonNode.Parse($$"""{"metadata":{"name":"existing"},"spec":{{spec}}}""")!.AsObject(), CancellationToken.None);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        var warnings = outcome.Warnings.Where(w => w.Kind == IsolationWarningKind.OtherPolicySelectsPod).ToList();
        if (weakens)
        {
            var warning = Assert.Single(warnings);
            Assert.Equal("existing", warning.PolicyName);
            Assert.Contains("allows traffic", warning.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
        }
    }

    [Fact]
    public async Task IsolateAsync_Injected500s_RetriedAndCompletes()
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = IsolationHarness.PodPath, StatusCode = 500, Count = 2 });

        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(3, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
    }

    [Fact]
    public async Task IsolateAsync_ConnectionResetTwice_RetriedAndCompletes()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var reset = new FaultRule { Method = "PATCH", PathPrefix = IsolationHarness.PodPath, ResetConnection = true, Count = 2 };
        harness.Sim.Faults.Add(reset);

        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(2, harness.Sim.Faults.Fired(reset));
        Assert.Equal(3, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
    }

    [Fact]
    public async Task IsolateAsync_ApiServerKeepsResetting_FailsUnreachableNamingTheCall_PodNotRelabelled()
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = IsolationHarness.PodPath, ResetConnection = true, Probability = 1 });

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None)));

        Assert.Equal(KubernetesFailureReason.Unreachable, error.Failure.Reason);
        Assert.StartsWith("unreachable: patch pods \"web-7d9f-abcde\" in namespace shop: ", error.Failure.Message, StringComparison.Ordinal);
        var pod = await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);
        Assert.False(pod!["metadata"]!["labels"]!.AsObject().ContainsKey("containment.io/quarantine"));
    }

    [Fact]
    public async Task IsolateAsync_Injected429WithRetryAfter_WaitsRetryAfterThenCompletes()
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Faults.Add(new FaultRule { Method = "POST", PathPrefix = IsolationHarness.PoliciesPath, StatusCode = 429, RetryAfterSeconds = 3, Count = 1 });
        var start = harness.Time.GetUtcNow();

        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.Equal(2, harness.Sim.Requests.Count("POST", IsolationHarness.PoliciesPath));
        Assert.True(harness.Time.GetUtcNow() - start >= TimeSpan.FromSeconds(3), "the retry waited less than Retry-After");
    }

    [Theory]
    [InlineData("GET", IsolationHarness.PodPath)]
    [InlineData("POST", IsolationHarness.PoliciesPath)]
    public async Task IsolateAsync_ListsOtherPoliciesWhileThePodReadAndTheWritesAreUnderWay(string heldMethod, string heldPath)
    {
        await using var harness = await IsolationHarness.StartAsync();

        // The read or the create is still held by the fault when the list has arrived: the list did not wait for it.
        var (listedWhileHeld, outcome) = await IsolateHoldingAsync(harness, new FaultRule { Method = heldMethod, PathPrefix = heldPath, Delay = TimeSpan.FromSeconds(2), Count = 1 }, "GET", IsolationHarness.PoliciesPath);

        Assert.Equal(1, listedWhileHeld);
        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(1, harness.Sim.Requests.Count("GET", IsolationHarness.PoliciesPath));
    }

    [Fact]
    public async Task IsolateAsync_RelabelsWhileTheListIsUnderWay()
    {
        await using var harness = await IsolationHarness.StartAsync();

        // The list is still held by the fault when the relabel has arrived: the relabel waited for the fence alone.
        var (relabelledWhileListHeld, outcome) = await IsolateHoldingAsync(harness, new FaultRule { Method = "GET", PathPrefix = IsolationHarness.PoliciesPath, Delay = TimeSpan.FromSeconds(2), Count = 1 }, "PATCH", IsolationHarness.PodPath);

        Assert.Equal(1, relabelledWhileListHeld);
        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
    }

    /// <summary>
    /// Isolates while <paramref name="held"/> holds one request back; returns how many requests of <paramref name="method"/>
    /// and <paramref name="path"/> had arrived while it was still held (at most 1 s is spent waiting for one).
    /// </summary>
    private static async Task<(int ArrivedWhileHeld, IsolationOutcome Outcome)> IsolateHoldingAsync(IsolationHarness harness, FaultRule held, string method, string path)
    {
        harness.Sim.Faults.Add(held);
        var isolating = harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while ((harness.Sim.Faults.Fired(held) == 0 || harness.Sim.Requests.Count(method, path) == 0) && DateTime.UtcNow < deadline && !isolating.IsCompleted)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        var arrived = harness.Sim.Requests.Count(method, path);
        var stillHeld = !isolating.IsCompleted && harness.Sim.Faults.Fired(held) == 1;
        var outcome = await isolating;
        Assert.True(stillHeld, "the held request was answered before the other arrived");
        return (arrived, outcome);
    }

    [Fact]
    public async Task IsolateAsync_RequestTimesOut_RetriedAndCompletes()
    {
        await using var harness = await IsolationHarness.StartAsync(requestTimeout: "00:00:01");
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = IsolationHarness.PoliciesPath, Delay = TimeSpan.FromSeconds(30), Count = 1 });

        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(2, harness.Sim.Requests.Count("GET", IsolationHarness.PoliciesPath));
    }

    [Theory]
    [InlineData(false, IsolationHarness.PoliciesPath)]
    [InlineData(true, "/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies")]
    public async Task IsolateAsync_PolicyCreatedButAnswerLost_RetriedCreateFindsItAndCompletes(bool cilium, string collection)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium, requestTimeout: "00:00:01");
        // The server creates the policy and its answer comes after the client has given up.
        harness.Sim.Faults.Add(new FaultRule { Method = "POST", PathPrefix = collection, Delay = TimeSpan.FromSeconds(3), DelayResponse = true, Count = 1 });

        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(2, harness.Sim.Requests.Count("POST", collection));
    }

    [Fact]
    public async Task IsolateAsync_PodPatchForbidden_ThrowsTypedForbiddenWithoutRetry_SaysTheFenceIsUpAndThePodNotRelabelled()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var before = await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);
        harness.Sim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = "/api/v1/namespaces/shop/pods", StatusCode = 403, Count = 5 });

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Forbidden, error.Failure.Reason);
        Assert.Equal(403, error.Failure.StatusCode);
        Assert.Equal("forbidden: the identity may not patch pods \"web-7d9f-abcde\" in namespace shop" + QuarantinePod.FencedNotRelabelled, error.Failure.Message);
        Assert.Equal(1, harness.Sim.Requests.Count("PATCH", "/api/v1/namespaces/shop/pods"));
        Assert.Equal(before!.ToJsonString(), (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!.ToJsonString());
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", "containment-quarantine-web-7d9f-abcde", CancellationToken.None));
    }

    [Fact]
    public async Task IsolateAsync_PolicyCreateForbidden_PodUntouched_FailureIsTheApiServersAlone()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var before = await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);
        harness.Sim.Faults.Add(new FaultRule { Method = "POST", PathPrefix = IsolationHarness.PoliciesPath, StatusCode = 403, Count = 5 });

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Forbidden, error.Failure.Reason);
        Assert.Equal("forbidden: the identity may not create networkpolicies \"containment-quarantine-web-7d9f-abcde\" in namespace shop", error.Failure.Message);
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", "/api/v1/namespaces/shop/pods"));
        Assert.Equal(before!.ToJsonString(), (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!.ToJsonString());
    }

    [Fact]
    public async Task IsolateAsync_FenceCreateMetAConflictAndThePolicyIsGoneWhenRead_FailsAsTheConflict_PodUntouched()
    {
        // A policy in the way of the create (409), deleted before it is read (a release under way): the isolation fails
        // as the conflict, which the step tries again, rather than as "not found", which it would not.
        await using var harness = await IsolationHarness.StartAsync();
        var before = await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);
        harness.Sim.Faults.Add(new FaultRule { Method = "POST", PathPrefix = IsolationHarness.PoliciesPath, StatusCode = 409 });

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Conflict, error.Failure.Reason);
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", "/api/v1/namespaces/shop/pods"));
        Assert.Equal(before!.ToJsonString(), (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!.ToJsonString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IsolateAsync_FenceIsUpBeforeThePodIsRelabelled(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);

        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        // Every write takes the next value of one resourceVersion counter, so the versions give the order of the writes:
        // the pod was relabelled (out of its allow policies) only once its deny-all policies existed.
        var pod = await VersionAsync(harness, ResourceCatalog.Pods);
        Assert.True(await VersionAsync(harness, ResourceCatalog.NetworkPolicies) < pod, "the pod was relabelled before its NetworkPolicy existed");
        if (cilium)
        {
            Assert.True(await VersionAsync(harness, ResourceCatalog.CiliumNetworkPolicies) < pod, "the pod was relabelled before its CiliumNetworkPolicy existed");
        }
    }

    [Fact]
    public async Task IsolateAsync_OfARun_NamesTheRunInTheRelabel()
    {
        await using var harness = await IsolationHarness.StartAsync();

        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);

        Assert.Equal(1, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
        Assert.Equal(RunStamp.Of(IsolationHarness.EarlierRun), await harness.RunAnnotationAsync());
    }

    [Fact]
    public async Task IsolateAsync_IsolatedByAnEarlierRun_TheLaterRunNamesItself_AgainWritesNothing()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var later = await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        var stampedPatches = harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath);
        var again = await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);

        Assert.Equal(IsolationStatus.AlreadyIsolated, later.Status);
        Assert.Equal(IsolationStatus.AlreadyIsolated, again.Status);
        Assert.Equal(1, stampedPatches);
        Assert.Equal(1, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), await harness.RunAnnotationAsync());
        Assert.Equal(later.SavedLabels, again.SavedLabels);
    }

    [Fact]
    public async Task IsolateAsync_ALaterRunIsolatedThePodSince_TheEarlierRunsCallStopsAndWritesNothing()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var stopped = await Assert.ThrowsAsync<SupersededByLaterRunException>(
            () => harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None));

        Assert.Equal(IsolationHarness.LaterRun, stopped.LaterRunStartedAt);
        Assert.Equal(0, harness.Sim.Requests.Writes);
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), await harness.RunAnnotationAsync());
    }

    [Fact]
    public async Task IsolateAsync_APodNotQuarantinedNamesALaterRun_IsolatedAndNamesThisRun()
    {
        // No run left that annotation: a release takes it away with the saved labels. It came with a copied manifest.
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.RunAnnotation] = RunStamp.Of(IsolationHarness.LaterRun) } } },
            CancellationToken.None);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.Equal(RunStamp.Of(IsolationHarness.EarlierRun), await harness.RunAnnotationAsync());
    }

    [Fact]
    public async Task IsolateAsync_APodNotQuarantinedCarriesASavedLabelsAnnotationThatIsNoJson_IsolatedWithItsOwnLabelsSaved()
    {
        // On a pod not quarantined the annotation is not Containment's: whoever may edit the pod must not stop its isolation so.
        await using var harness = await IsolationHarness.StartAsync();
        var labels = (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!["metadata"]!["labels"]!.AsObject();
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = "{not json" } } },
            CancellationToken.None);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal((IsolationStatus.Isolated, true), (outcome.Status, outcome.Verified));
        Assert.Equal(labels.ToDictionary(label => label.Key, label => (string)label.Value!), outcome.SavedLabels);
    }

    private static async Task<long> VersionAsync(IsolationHarness harness, ResourceKind kind)
    {
        var name = kind == ResourceCatalog.Pods ? "web-7d9f-abcde" : "containment-quarantine-web-7d9f-abcde";
        var stored = (await harness.Sim.Store.GetAsync(kind, "shop", name, CancellationToken.None))!;
        return long.Parse(stored["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task IsolateAsync_ChangedPolicy_RestoredToDenyAll()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        using var content = new StringContent("""{"spec":{"ingress":[{}]}}""", System.Text.Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/merge-patch+json");
        (await http.PatchAsync(new Uri("/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/containment-quarantine-web-7d9f-abcde", UriKind.Relative), content)).Dispose();

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var policy = (await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", "containment-quarantine-web-7d9f-abcde", CancellationToken.None))!;

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.Null(policy["spec"]!["ingress"]);
    }

    [Fact]
    public async Task PreflightAsync_RunningPod_NoFailure()
    {
        await using var harness = await IsolationHarness.StartAsync();

        var failure = await harness.Quarantine.PreflightAsync(IsolationHarness.Pod(), CancellationToken.None);

        Assert.Null(failure);
        Assert.Equal(0, harness.Sim.Requests.Writes);
    }
}
