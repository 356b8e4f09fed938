using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using Containment.Tests.Support;
using global::KubeSim;
using k8s.Models;

namespace Containment.Tests.Isolation;

/// <summary>
/// An earlier run's release still under way (under Durable Functions a call goes on after its run is ended) while a
/// later run isolates the same pod: whichever order their requests land in, a pod left carrying its quarantine label is
/// selected by its deny-all fence. Each test holds one request with a fault until the other side has done its part.
/// </summary>
public sealed class ReleaseDuringIsolationTests
{
    private const string PolicyName = "containment-quarantine-web-7d9f-abcde";
    private const string PolicyPath = IsolationHarness.PoliciesPath + "/" + PolicyName;
    private const string CiliumPoliciesPath = "/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheReleaseRestoresWhileTheIsolationsRelabelIsHeld_TheRelabelConflicts_TheIsolationPutsTheFenceBack(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);

        // The later run read the pod quarantined, its fence there; its relabel is held while the whole release lands.
        var (relabel, letGo) = Hold(harness, "PATCH", IsolationHarness.PodPath);
        var isolating = harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        await HeldAsync(harness, relabel, isolating);

        var released = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
        letGo.SetResult();
        var isolated = await isolating;

        Assert.Equal(ReleaseStatus.Released, released.Status);
        Assert.Equal(Policies(cilium), released.DeletedPolicies);
        Assert.Empty(released.Notes);
        Assert.Equal(1, harness.Sim.Requests.Conflicts("PATCH", IsolationHarness.PodPath));
        Assert.Equal((IsolationStatus.Isolated, true), (isolated.Status, isolated.Verified));
        await AssertFencedAsync(harness, cilium, isolated.QuarantineId);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task TheIsolationTakesUpTheFenceTheReleaseThenDeletes_BeforeTheRelabel_TheIsolationPutsItBack(bool cilium, bool fenceAhead)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);

        // The release has given the labels back; its delete of the fence is held.
        var (delete, letDeleteGo) = Hold(harness, "DELETE", IsolationHarness.PoliciesPath);
        var releasing = harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
        await HeldAsync(harness, delete, releasing);

        // The later run reads the pod given back, and its create (its own, or the one made ahead) meets the released fence:
        // 409, and the isolation takes that fence up. Its relabel is held until the release has deleted the fence.
        var later = IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun };
        if (fenceAhead)
        {
            harness.Quarantine.ReadAhead(later, CancellationToken.None);
            await WaitUntilAsync(() => harness.Sim.Requests.Conflicts("POST", IsolationHarness.PoliciesPath) == 1
                && (!cilium || harness.Sim.Requests.Conflicts("POST", CiliumPoliciesPath) == 1));
        }

        var (relabel, letRelabelGo) = Hold(harness, "PATCH", IsolationHarness.PodPath);
        var isolating = harness.Quarantine.IsolateAsync(later, CancellationToken.None);
        await HeldAsync(harness, relabel, isolating);

        letDeleteGo.SetResult();
        var released = await releasing;
        letRelabelGo.SetResult();
        var isolated = await isolating;

        Assert.Equal(1, harness.Sim.Requests.Conflicts("POST", IsolationHarness.PoliciesPath));
        Assert.Equal(ReleaseStatus.Released, released.Status);
        Assert.Equal(Policies(cilium), released.DeletedPolicies);
        Assert.Empty(released.Notes);
        Assert.Equal((IsolationStatus.Isolated, true), (isolated.Status, isolated.Verified));
        await AssertFencedAsync(harness, cilium, isolated.QuarantineId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheReleaseDeletesTheFenceAfterTheIsolationHasRelabelled_TheReleasePutsItBackAndSaysSo(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);

        // The release has given the labels back; its delete of the fence is held while the later run isolates the pod whole.
        var (delete, letDeleteGo) = Hold(harness, "DELETE", IsolationHarness.PoliciesPath);
        var releasing = harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
        await HeldAsync(harness, delete, releasing);
        var isolated = await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);

        letDeleteGo.SetResult();
        var released = await releasing;

        Assert.Equal((IsolationStatus.Isolated, true), (isolated.Status, isolated.Verified));
        Assert.Equal(ReleaseStatus.Released, released.Status);
        Assert.Empty(released.DeletedPolicies);
        Assert.Equal("another run quarantined the pod while this release ran; its fence was put back", Assert.Single(released.Notes));
        await AssertFencedAsync(harness, cilium, isolated.QuarantineId);
    }

    /// <summary>Neither meets the other: the isolation makes the requests it always made, the release one pod read more.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IsolateThenRelease_NothingElseUnderWay_EachMakesItsRequests_TheReleaseReadsThePodOnceMore(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.PreflightAsync(IsolationHarness.Pod(), CancellationToken.None);
        harness.Sim.Requests.Reset();

        var isolated = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var isolation = harness.Sim.Requests.Snapshot();
        harness.Sim.Requests.Reset();
        var released = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);
        var release = harness.Sim.Requests.Snapshot();

        var isolationExpected = new Dictionary<string, int>
        {
            ["GET " + IsolationHarness.PodPath] = 1,
            ["POST " + IsolationHarness.PoliciesPath] = 1,
            ["PATCH " + IsolationHarness.PodPath] = 1,
            ["GET " + IsolationHarness.PoliciesPath] = 1,
        };
        var releaseExpected = new Dictionary<string, int>
        {
            ["GET " + IsolationHarness.PodPath] = 2,
            ["PATCH " + IsolationHarness.PodPath] = 1,
            ["DELETE " + PolicyPath] = 1,
        };
        if (cilium)
        {
            isolationExpected["POST " + CiliumPoliciesPath] = 1;
            releaseExpected["DELETE " + CiliumPoliciesPath + "/" + PolicyName] = 1;
        }

        Assert.Equal((IsolationStatus.Isolated, true), (isolated.Status, isolated.Verified));
        Assert.Equal(ReleaseStatus.Released, released.Status);
        Assert.Equal(isolationExpected, isolation);
        Assert.Equal(releaseExpected, release);
    }

    private static List<string> Policies(bool cilium) =>
        cilium ? [$"NetworkPolicy/{PolicyName}", $"CiliumNetworkPolicy/{PolicyName}"] : [$"NetworkPolicy/{PolicyName}"];

    /// <summary>The pod carries only its quarantine label, and a deny-all NetworkPolicy (and the Cilium one, where served) selects it.</summary>
    private static async Task AssertFencedAsync(IsolationHarness harness, bool cilium, string? quarantineId)
    {
        var pod = (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!;
        var labels = pod["metadata"]!["labels"]!.AsObject();
        Assert.Equal([QuarantineNames.QuarantineLabel], labels.Select(label => label.Key));
        Assert.Equal(quarantineId, (string?)labels[QuarantineNames.QuarantineLabel]);

        var policy = await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None);
        Assert.True(policy is not null, "the pod carries its quarantine label, and no NetworkPolicy fences it");
        Assert.True(QuarantinePolicyWrites.IsDenyAll(k8s.KubernetesJson.Deserialize<V1NetworkPolicy>(policy.ToJsonString()), quarantineId!), $"not the deny-all: {policy.ToJsonString()}");
        if (cilium)
        {
            var ciliumPolicy = await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", PolicyName, CancellationToken.None);
            Assert.True(ciliumPolicy is not null, "the pod carries its quarantine label, and no CiliumNetworkPolicy fences it");
            Assert.True(JsonNode.DeepEquals(ciliumPolicy["spec"], QuarantinePolicyWrites.CiliumSpec(quarantineId!)), $"not the deny rules: {ciliumPolicy.ToJsonString()}");
        }
    }

    /// <summary>Holds the cluster's answers to one kind of request until the gate is let go.</summary>
    private static (FaultRule Rule, TaskCompletionSource Gate) Hold(IsolationHarness harness, string method, string path)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rule = new FaultRule { Method = method, PathPrefix = path, Until = gate.Task };
        harness.Sim.Faults.Add(rule);
        return (rule, gate);
    }

    /// <summary>Once the rule holds a request of the call still under way.</summary>
    private static async Task HeldAsync(IsolationHarness harness, FaultRule rule, Task call)
    {
        await WaitUntilAsync(() => harness.Sim.Faults.Fired(rule) == 1 || call.IsCompleted);
        if (call.IsCompleted)
        {
            await call;
        }

        Assert.False(call.IsCompleted, "the call ended before its request was held");
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        RealTimeLimit.UntilAsync(condition, "waited in vain", TimeSpan.FromSeconds(10));
}
