using Containment.Tests.Support;
using global::KubeSim;

namespace Containment.Tests.Isolation;

public sealed class NodeAndPodActionTests
{
    [Fact]
    public async Task CordonAsync_PodOnNode_NodeUnschedulableAndSecondCallUnchanged()
    {
        await using var harness = await IsolationHarness.StartAsync();

        var first = await harness.CordonNode.CordonAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
        harness.Sim.Requests.Reset();
        var second = await harness.CordonNode.CordonAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
        var node = (await harness.Sim.Store.GetAsync(ResourceCatalog.Nodes, null, "aks-nodepool1-0", CancellationToken.None))!;

        Assert.True(first.Changed);
        Assert.Equal("aks-nodepool1-0", first.Target);
        Assert.False(second.Changed);
        Assert.True(node["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.Equal(0, harness.Sim.Requests.Writes);
    }

    [Fact]
    public async Task DeleteAsync_ExistingPod_DeletedAndSecondCallAlreadyGone()
    {
        await using var harness = await IsolationHarness.StartAsync();

        var first = await harness.DeletePod.DeleteAsync(IsolationHarness.Pod(), gracePeriodSeconds: 0, runStartedAt: null, isolatedByThisRun: false, CancellationToken.None);
        var second = await harness.DeletePod.DeleteAsync(IsolationHarness.Pod(), gracePeriodSeconds: 0, runStartedAt: null, isolatedByThisRun: false, CancellationToken.None);

        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Contains("already gone", second.Message, StringComparison.Ordinal);
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_ProtectedNamespace_RefusedWithoutRequests()
    {
        await using var harness = await IsolationHarness.StartAsync();

        var outcome = await harness.DeletePod.DeleteAsync(IsolationHarness.Pod("kube-system", "coredns-1"), gracePeriodSeconds: null, runStartedAt: null, isolatedByThisRun: false, CancellationToken.None);

        Assert.True(outcome.Refused);
        Assert.False(outcome.Changed);
        Assert.Equal(Containment.Isolation.PreflightFailureReason.NamespaceProtected, outcome.Refusal!.Reason);
        Assert.Equal(0, harness.Sim.Requests.Writes);
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "kube-system", "coredns-1", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_ThePodThisRunIsolatedIsStillQuarantined_DeletesIt()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);

        var outcome = await harness.DeletePod.DeleteAsync(IsolationHarness.Pod(), gracePeriodSeconds: 0, IsolationHarness.EarlierRun, isolatedByThisRun: true, CancellationToken.None);

        Assert.True(outcome.Changed, outcome.Message);
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_ThePodThisRunIsolatedWasGivenBackSince_RefusedAndDeletesNothing()
    {
        // A later run (a release by hand) restored the pod; its record, written after the restore, has not landed yet.
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        await harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.LaterRun, CancellationToken.None);

        var outcome = await harness.DeletePod.DeleteAsync(IsolationHarness.Pod(), gracePeriodSeconds: 0, IsolationHarness.EarlierRun, isolatedByThisRun: true, CancellationToken.None);

        Assert.False(outcome.Changed);
        Assert.Equal(Containment.Isolation.PreflightFailureReason.GivenBackSinceIsolated, outcome.Refusal?.Reason);
        Assert.Equal("pod shop/web-7d9f-abcde is no longer quarantined, though this run isolated it: it was given back since, so it is not deleted", outcome.Message);
        Assert.Equal(0, harness.Sim.Requests.Count("DELETE", IsolationHarness.PodPath));
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_ALaterRunIsolatedThePod_StopsAndDeletesNothing()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);

        var stopped = await Assert.ThrowsAsync<Containment.Isolation.SupersededByLaterRunException>(
            () => harness.DeletePod.DeleteAsync(IsolationHarness.Pod(), gracePeriodSeconds: 0, IsolationHarness.EarlierRun, isolatedByThisRun: false, CancellationToken.None));

        Assert.Equal(IsolationHarness.LaterRun, stopped.LaterRunStartedAt);
        Assert.Equal(0, harness.Sim.Requests.Count("DELETE", IsolationHarness.PodPath));
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_ALaterRunIsolatesThePodBetweenTheReadAndTheDelete_TheDeleteIsRefusedAndStops()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = IsolationHarness.PodPath, DelayResponse = true, Until = letGo.Task });
        var deleting = harness.DeletePod.DeleteAsync(IsolationHarness.Pod(), gracePeriodSeconds: 0, IsolationHarness.EarlierRun, isolatedByThisRun: false, CancellationToken.None);

        // Read as it was, its answer held: only then does the later run isolate the pod.
        await RealTimeLimit.UntilAsync(() => harness.Sim.Requests.CarriedOut("GET", IsolationHarness.PodPath) > 0 || deleting.IsCompleted, "the pod read was not carried out");

        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        letGo.SetResult();
        var stopped = await Assert.ThrowsAsync<Containment.Isolation.SupersededByLaterRunException>(() => deleting);

        Assert.Equal(IsolationHarness.LaterRun, stopped.LaterRunStartedAt);
        Assert.Equal(1, harness.Sim.Requests.Count("DELETE", IsolationHarness.PodPath));
        Assert.Equal(0, harness.Sim.Requests.CarriedOut("DELETE", IsolationHarness.PodPath));
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None));
    }
}
