using Containment.Clusters;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using Containment.Tests.Support;
using global::KubeSim;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Isolation;

/// <summary>An isolation uses the pod read and the policy list made ahead of it only while they are fresh and worked.</summary>
public sealed class QuarantineReadAheadTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAhead_ThenIsolate_ReadsAndFenceMadeOnceBeforeIt_IsolationOnlyRelabels(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.PreflightAsync(IsolationHarness.Pod(), CancellationToken.None);
        harness.Sim.Requests.Reset();

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        await CarriedOutAsync(harness, "GET", IsolationHarness.PodPath);
        await CarriedOutAsync(harness, "GET", IsolationHarness.PoliciesPath);
        await CarriedOutAsync(harness, "POST", IsolationHarness.PoliciesPath);
        if (cilium)
        {
            await CarriedOutAsync(harness, "POST", CiliumPoliciesPath);
        }

        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
        Assert.Empty(await PodsSelectedByFenceAsync(harness));
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        var expected = new Dictionary<string, int>
        {
            ["GET " + IsolationHarness.PodPath] = 1,
            ["GET " + IsolationHarness.PoliciesPath] = 1,
            ["POST " + IsolationHarness.PoliciesPath] = 1,
            ["PATCH " + IsolationHarness.PodPath] = 1,
        };
        if (cilium)
        {
            expected["POST " + CiliumPoliciesPath] = 1;
        }

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(expected, harness.Sim.Requests.Snapshot());
        Assert.Equal(["web-7d9f-abcde"], await PodsSelectedByFenceAsync(harness));
        Assert.Equal(0, ReadAhead(harness).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAhead_NotTakenInTime_FenceLeftSelectsNoPod_NextIsolationTakesItUp(bool forgotten)
    {
        // Stale: the isolation started late (a busy host). Forgotten: the run whose isolation it was never came to be
        // stored (its host stopped, or another run held the pod), and the pod's next isolation comes much later.
        await using var harness = await IsolationHarness.StartAsync();
        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        await CarriedOutAsync(harness, "POST", IsolationHarness.PoliciesPath);
        harness.Time.Advance(QuarantineReadAhead.MaxAge);
        if (forgotten)
        {
            harness.Time.Advance(QuarantineReadAhead.FenceKeptFor);
        }

        Assert.Equal(0, ReadAhead(harness).Count);

        Assert.Empty(await PodsSelectedByFenceAsync(harness));
        var pod = (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!;
        Assert.DoesNotContain(QuarantineNames.QuarantineLabel, pod["metadata"]!["labels"]!.AsObject().Select(label => label.Key));

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        // Remembered, the fence is read and judged; forgotten, the isolation's create meets it (409) and then reads it. Found
        // rather than made, it is read once more after the relabel (a release under way may have deleted it meanwhile).
        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(["web-7d9f-abcde"], await PodsSelectedByFenceAsync(harness));
        Assert.Equal(forgotten ? 2 : 1, harness.Sim.Requests.Count("POST", IsolationHarness.PoliciesPath));
        Assert.Equal(2, harness.Sim.Requests.Count("GET", $"{IsolationHarness.PoliciesPath}/{QuarantineNames.PolicyName("web-7d9f-abcde")}"));
        Assert.Equal(2, harness.Sim.Requests.Count("GET", IsolationHarness.PodPath));
        Assert.Equal(0, harness.Sim.Requests.Count("PUT", IsolationHarness.PoliciesPath));
    }

    [Fact]
    public async Task ReadAhead_StaleFenceChangedSinceItWasMade_IsolationMakesItDenyAllAgain()
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        await CarriedOutAsync(harness, "POST", IsolationHarness.PoliciesPath);
        harness.Time.Advance(QuarantineReadAhead.MaxAge);
        var name = QuarantineNames.PolicyName("web-7d9f-abcde");
        await harness.Sim.Store.PatchAsync(ResourceCatalog.NetworkPolicies, "shop", name, "application/merge-patch+json",
            JsonNode.Parse("""{"spec":{"ingress":[{}]}}""")!, CancellationToken.None);

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(1, harness.Sim.Requests.Count("PUT", IsolationHarness.PoliciesPath));
        Assert.Null((await FenceAsync(harness))!["spec"]!["ingress"]);
    }

    [Fact]
    public async Task ReadAhead_PodQuarantinedAlready_FenceLeftAsItIs()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var before = await FenceAsync(harness);
        harness.Sim.Requests.Reset();

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        // The create made ahead met the fence there (409); the isolation read it, and wrote nothing.
        Assert.Equal(IsolationStatus.AlreadyIsolated, outcome.Status);
        Assert.Equal(1, harness.Sim.Requests.Writes);
        Assert.Equal(before!["metadata"]!["resourceVersion"]!.GetValue<string>(), (await FenceAsync(harness))!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadAhead_PodCarriesAnEarlierQuarantineId_FenceMadeAheadRewrittenForIt()
    {
        // The pod kept its label while its fence was deleted: the fence made ahead selects the new id, which the pod does not carry.
        await using var harness = await IsolationHarness.StartAsync();
        await QuarantineEarlierAsync(harness);

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal("iso-earlier", outcome.QuarantineId);
        Assert.True(outcome.Verified);
        Assert.Equal(1, harness.Sim.Requests.Count("PUT", IsolationHarness.PoliciesPath));
        Assert.Equal(["web-7d9f-abcde"], await PodsSelectedByFenceAsync(harness));
    }

    [Fact]
    public async Task ReadAhead_CreateForAnotherIdStillUnderWay_TheIsolationWaitsForItThenRewritesIt()
    {
        // As above, with the create made ahead answered late: the isolation's own apply must not race it.
        await using var harness = await IsolationHarness.StartAsync();
        await QuarantineEarlierAsync(harness);
        var heldCreate = new FaultRule { Method = "POST", PathPrefix = IsolationHarness.PoliciesPath, Delay = TimeSpan.FromSeconds(5) };
        harness.Sim.Faults.Add(heldCreate);

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(1, harness.Sim.Faults.Fired(heldCreate));
        Assert.Equal("iso-earlier", outcome.QuarantineId);
        Assert.True(outcome.Verified);
        Assert.Equal(1, harness.Sim.Requests.Count("POST", IsolationHarness.PoliciesPath));
        Assert.Equal(1, harness.Sim.Requests.Count("PUT", IsolationHarness.PoliciesPath));
        Assert.Equal(["web-7d9f-abcde"], await PodsSelectedByFenceAsync(harness));
    }

    [Theory]
    [InlineData("nope", PreflightFailureReason.PodNotFound, false)]
    [InlineData("hostnet", PreflightFailureReason.HostNetwork, false)]
    [InlineData("static-web-aks-nodepool1-0", PreflightFailureReason.MirrorPod, false)]
    [InlineData("nope", PreflightFailureReason.PodNotFound, true)]
    [InlineData("hostnet", PreflightFailureReason.HostNetwork, true)]
    public async Task ReadAhead_PodRefused_FenceMadeAheadDeleted(string pod, PreflightFailureReason reason, bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);

        harness.Quarantine.ReadAhead(IsolationHarness.Request(pod: pod), CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(pod: pod), CancellationToken.None);

        Assert.Equal(reason, outcome.Refusal!.Reason);
        Assert.Equal(1, harness.Sim.Requests.Count("POST", IsolationHarness.PoliciesPath));
        Assert.Equal(1, harness.Sim.Requests.Count("DELETE", IsolationHarness.PoliciesPath));
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", QuarantineNames.PolicyName(pod), CancellationToken.None));
        Assert.Equal(cilium ? 1 : 0, harness.Sim.Requests.Count("POST", CiliumPoliciesPath));
        Assert.Equal(cilium ? 1 : 0, harness.Sim.Requests.Count("DELETE", CiliumPoliciesPath));
        if (cilium)
        {
            Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", QuarantineNames.PolicyName(pod), CancellationToken.None));
        }
    }

    [Fact]
    public async Task ReadAhead_ClusterEnforcesNoNetworkPolicy_CreatesNothing()
    {
        await using var harness = await IsolationHarness.StartAsync(engine: nameof(NetworkPolicyEngine.None));

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(PreflightFailureReason.NetworkPolicyNotEnforced, outcome.Refusal!.Reason);
        Assert.Equal(0, harness.Sim.Requests.Writes);
    }

    [Fact]
    public async Task ReadAhead_FenceCreateFailedEveryTry_IsolationCreatesItAndSucceeds()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var tries = 1 + new ClusterAccessOptions().KubernetesMaxRetries;
        harness.Sim.Faults.Add(new FaultRule { Method = "POST", PathPrefix = IsolationHarness.PoliciesPath, StatusCode = 503, Count = tries });

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(tries + 1, harness.Sim.Requests.Count("POST", IsolationHarness.PoliciesPath));
        Assert.Equal(["web-7d9f-abcde"], await PodsSelectedByFenceAsync(harness));
    }

    [Fact]
    public async Task ReadAhead_FenceCreateForbidden_IsolationFailsWithIt_NotTriedAgain()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var forbidden = new FaultRule { Method = "POST", PathPrefix = IsolationHarness.PoliciesPath, StatusCode = 403, Probability = 1 };
        harness.Sim.Faults.Add(forbidden);

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var failure = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Forbidden, failure.Failure.Reason);
        Assert.Contains("create networkpolicies", failure.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Sim.Faults.Fired(forbidden));
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
    }

    [Fact]
    public async Task ReadAhead_PolicyOfThatNameThere_AheadOnlyTriesToCreate_IsolationMakesItDenyAll()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var name = QuarantineNames.PolicyName("web-7d9f-abcde");
        await harness.Sim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, "shop", JsonNode.Parse($$$"""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"{{{name}}}","namespace":"shop"},
             "spec":{"podSelector":{"matchLabels":{"app":"web"}},"ingress":[{}]}}
            """)!.AsObject(), CancellationToken.None);

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        // Ahead: a create answered 409. The isolation: a read and the replace, and once the pod is relabelled a read again.
        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(1, harness.Sim.Requests.Count("POST", IsolationHarness.PoliciesPath));
        Assert.Equal(2, harness.Sim.Requests.Count("GET", $"{IsolationHarness.PoliciesPath}/{name}"));
        Assert.Equal(1, harness.Sim.Requests.Count("PUT", IsolationHarness.PoliciesPath));
        Assert.Equal(["web-7d9f-abcde"], await PodsSelectedByFenceAsync(harness));
    }

    private const string CiliumPoliciesPath = "/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies";

    private static QuarantineReadAhead ReadAhead(IsolationHarness harness) => harness.Services.GetRequiredService<QuarantineReadAhead>();

    private static Task<JsonObject?> FenceAsync(IsolationHarness harness) =>
        harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", QuarantineNames.PolicyName("web-7d9f-abcde"), CancellationToken.None);

    /// <summary>The pods of the namespace that the pod's deny-all policy selects, as the API server stores them.</summary>
    private static async Task<IReadOnlyList<string>> PodsSelectedByFenceAsync(IsolationHarness harness)
    {
        var policy = (await FenceAsync(harness))!;
        var selector = string.Join(',', policy["spec"]!["podSelector"]!["matchLabels"]!.AsObject().Select(label => $"{label.Key}={label.Value!.GetValue<string>()}"));
        var (pods, _) = await harness.Sim.Store.ListAsync(ResourceCatalog.Pods, "shop", LabelSelector.Parse(selector), new Dictionary<string, string>(), CancellationToken.None);
        return [.. pods.Select(pod => pod["metadata"]!["name"]!.GetValue<string>())];
    }

    /// <summary>Waits (on real time: this is I/O) until KubeSim has answered a <paramref name="method"/> under <paramref name="path"/>.</summary>
    private static Task CarriedOutAsync(IsolationHarness harness, string method, string path) =>
        RealTimeLimit.UntilAsync(() => harness.Sim.Requests.CarriedOut(method, path) > 0, $"{method} {path} was not answered", TimeSpan.FromSeconds(30));

    /// <summary>The pod as an earlier quarantine left it (label and saved labels), its fence since deleted.</summary>
    private static async Task QuarantineEarlierAsync(IsolationHarness harness) =>
        await harness.Sim.Store.PatchAsync(
            ResourceCatalog.Pods,
            "shop",
            "web-7d9f-abcde",
            "application/merge-patch+json",
            new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["labels"] = new JsonObject { ["app"] = null, ["tier"] = null, ["pod-template-hash"] = null, [QuarantineNames.QuarantineLabel] = "iso-earlier" },
                    ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = """{"app":"web","tier":"front","pod-template-hash":"7d9f"}""" },
                },
            },
            CancellationToken.None);
}
