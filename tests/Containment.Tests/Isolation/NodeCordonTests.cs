using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Isolation.Actions.UncordonNode;
using Containment.Tests.Support;
using global::KubeSim;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Isolation;

/// <summary>cordonNode and uncordonNode against KubeSim: a node is given back exactly, and only when no cordon still holds it.</summary>
public sealed class NodeCordonTests
{
    private const string Node = "aks-nodepool1-0";
    private const string NodePath = "/api/v1/nodes/" + Node;
    private static readonly PodReference Web = IsolationHarness.Pod();
    private static readonly PodReference Agent = IsolationHarness.Pod(pod: "hostnet");

    [Fact]
    public async Task CordonThenUncordon_TheNodeIsAsItWasBefore()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Nodes, null, Node, "application/merge-patch+json",
            JsonNode.Parse("""
            {"metadata":{"labels":{"agentpool":"nodepool1"},"annotations":{"team":"platform"}},
             "spec":{"podCIDR":"10.244.0.0/24","providerID":"azure:///subscriptions/0000/resourceGroups/mc_rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1/virtualMachines/0"}}
            """)!, CancellationToken.None);
        var before = await NodeAsync(harness);

        var cordon = await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var cordoned = await NodeAsync(harness);
        var uncordon = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var after = await NodeAsync(harness);

        Assert.Equal("node aks-nodepool1-0 cordoned for pod shop/web-7d9f-abcde", cordon.Message);
        Assert.True(cordoned["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.Equal("true", (string?)cordoned["metadata"]!["labels"]![CordonHolds.CordonedLabel]);
        Assert.Equal("""{"shop/web-7d9f-abcde":"2026-11-23T07:00:00.0000000Z"}""", (string?)cordoned["metadata"]!["annotations"]![CordonHolds.HoldsAnnotation]);
        Assert.True(uncordon.Changed);
        Assert.Equal("node aks-nodepool1-0 uncordoned: it was cordoned for pod shop/web-7d9f-abcde alone", uncordon.Message);
        Assert.Equal(Node, uncordon.Target);
        Assert.True(JsonNode.DeepEquals(WithoutVersion(before), WithoutVersion(after)), $"before: {before.ToJsonString()}\nafter: {after.ToJsonString()}");
    }

    [Fact]
    public async Task NodeCordonedBySomeoneElse_CordonWritesNothing_UncordonLeavesItCordoned()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Nodes, null, Node, "application/merge-patch+json",
            JsonNode.Parse("""{"spec":{"unschedulable":true}}""")!, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var cordon = await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var uncordon = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var node = await NodeAsync(harness);

        Assert.False(cordon.Changed);
        Assert.StartsWith("node aks-nodepool1-0 was already cordoned, not by Containment", cordon.Message, StringComparison.Ordinal);
        Assert.False(uncordon.Changed);
        Assert.Null(uncordon.Target);
        Assert.Equal("no node is cordoned by Containment for pod shop/web-7d9f-abcde; nothing to uncordon", uncordon.Message);
        Assert.Equal(0, harness.Sim.Requests.Writes);
        Assert.True(node["spec"]!["unschedulable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task TwoPodsOnTheNode_ItStaysCordonedUntilTheLastHoldIsTakenOff()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);

        var second = await harness.CordonNode.CordonAsync(Agent, IsolationHarness.LaterRun, CancellationToken.None);
        var first = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var afterFirst = await NodeAsync(harness);
        var last = await Uncordon(harness).UncordonAsync(Agent, IsolationHarness.LaterRun, CancellationToken.None);
        var afterLast = await NodeAsync(harness);

        Assert.Equal("node aks-nodepool1-0 was already cordoned by Containment for pod shop/web-7d9f-abcde; it is now kept cordoned for pod shop/hostnet too", second.Message);
        Assert.Equal("node aks-nodepool1-0 stays cordoned for pod shop/hostnet; the hold for pod shop/web-7d9f-abcde was taken off", first.Message);
        Assert.True(afterFirst["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.Equal(["shop/hostnet"], Holds(afterFirst));
        Assert.Equal("node aks-nodepool1-0 uncordoned: it was cordoned for pod shop/hostnet alone", last.Message);
        Assert.Null(afterLast["spec"]!["unschedulable"]);
        Assert.Null(afterLast["metadata"]!["labels"]?[CordonHolds.CordonedLabel]);
    }

    [Fact]
    public async Task ALaterRunOfThePodCordonedIt_AnEarlierRunsUncordonLeavesItCordoned()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var later = await harness.CordonNode.CordonAsync(Web, IsolationHarness.LaterRun, CancellationToken.None);

        var earlier = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var stays = await NodeAsync(harness);
        var own = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.LaterRun, CancellationToken.None);

        Assert.True(later.Changed);
        Assert.Equal("node aks-nodepool1-0 is already cordoned for pod shop/web-7d9f-abcde; its hold now names this run", later.Message);
        Assert.False(earlier.Changed);
        Assert.Equal("node aks-nodepool1-0 stays cordoned: a later run of pod shop/web-7d9f-abcde (started 2026-11-23T07:30:00.0000000Z) has cordoned it since", earlier.Message);
        Assert.True(stays["spec"]!["unschedulable"]!.GetValue<bool>());
        Assert.True(own.Changed);
        Assert.Null((await NodeAsync(harness))["spec"]!["unschedulable"]);
    }

    [Fact]
    public async Task ThePodIsGone_TheNodeIsFoundByItsLabelAndGivenBack()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        await harness.Sim.Store.DeleteAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);

        var uncordon = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.LaterRun, CancellationToken.None);

        Assert.True(uncordon.Changed, uncordon.Message);
        Assert.Null((await NodeAsync(harness))["spec"]!["unschedulable"]);
    }

    [Fact]
    public async Task TheNodeWasUncordonedByHand_TheHoldIsTakenOffAndTheNodeLeftSchedulable()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Nodes, null, Node, "application/merge-patch+json",
            JsonNode.Parse("""{"spec":{"unschedulable":null}}""")!, CancellationToken.None);

        var uncordon = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        var node = await NodeAsync(harness);

        Assert.Equal("node aks-nodepool1-0 was made schedulable already, not by Containment; the hold for pod shop/web-7d9f-abcde was taken off", uncordon.Message);
        Assert.Null(node["spec"]!["unschedulable"]);
        Assert.Null(node["metadata"]!["annotations"]?[CordonHolds.HoldsAnnotation]);
    }

    [Fact]
    public async Task TheNodeWasUncordonedByHand_ALaterCordonDropsTheOldHolds()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Agent, IsolationHarness.EarlierRun, CancellationToken.None);
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Nodes, null, Node, "application/merge-patch+json",
            JsonNode.Parse("""{"spec":{"unschedulable":false}}""")!, CancellationToken.None);

        var cordon = await harness.CordonNode.CordonAsync(Web, IsolationHarness.LaterRun, CancellationToken.None);
        var uncordon = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.LaterRun, CancellationToken.None);

        Assert.Equal("node aks-nodepool1-0 cordoned for pod shop/web-7d9f-abcde", cordon.Message);
        Assert.Equal("node aks-nodepool1-0 uncordoned: it was cordoned for pod shop/web-7d9f-abcde alone", uncordon.Message);
        Assert.Null((await NodeAsync(harness))["spec"]!["unschedulable"]);
    }

    [Fact]
    public async Task TwoCordonsAtOnce_TheOneThatReadFirstMeetsAConflictAndKeepsBothHolds()
    {
        await using var harness = await IsolationHarness.StartAsync();
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = NodePath, DelayResponse = true, Until = letGo.Task });
        var web = harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        await UntilAsync(() => harness.Sim.Requests.CarriedOut("GET", NodePath) == 1, web);

        // The node as the web pod's cordon read it is held back; the agent's cordon reads and writes meanwhile.
        await harness.CordonNode.CordonAsync(Agent, IsolationHarness.EarlierRun, CancellationToken.None);
        letGo.SetResult();
        var outcome = await web;

        Assert.Equal("node aks-nodepool1-0 was already cordoned by Containment for pod shop/hostnet; it is now kept cordoned for pod shop/web-7d9f-abcde too", outcome.Message);
        Assert.Equal(["shop/hostnet", "shop/web-7d9f-abcde"], Holds(await NodeAsync(harness)));
        Assert.Equal(3, harness.Sim.Requests.Count("PATCH", NodePath));
        Assert.Equal(2, harness.Sim.Requests.CarriedOut("PATCH", NodePath));
    }

    [Fact]
    public async Task TwoUncordonsAtOnce_TheLastHoldTakenOffGivesTheNodeBack()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        await harness.CordonNode.CordonAsync(Agent, IsolationHarness.EarlierRun, CancellationToken.None);
        ActionOutcome? agent = null;

        // The web pod's uncordon saw both holds; the agent's takes its own off meanwhile, leaving only the web pod's.
        var outcome = await UncordonWebWhileItsListIsHeldAsync(harness, async () => agent = await Uncordon(harness).UncordonAsync(Agent, IsolationHarness.EarlierRun, CancellationToken.None));

        Assert.Equal("node aks-nodepool1-0 stays cordoned for pod shop/web-7d9f-abcde; the hold for pod shop/hostnet was taken off", agent?.Message);
        Assert.Equal("node aks-nodepool1-0 uncordoned: it was cordoned for pod shop/web-7d9f-abcde alone", outcome.Message);
        var node = await NodeAsync(harness);
        Assert.Null(node["spec"]!["unschedulable"]);
        Assert.Null(node["metadata"]!["labels"]?[CordonHolds.CordonedLabel]);
    }

    [Fact]
    public async Task TwoUncordonsOfThePodAtOnce_TheOneThatReadFirstFindsTheHoldGone_AndChangesNothing()
    {
        // A release by hand and the run's own uncordonNode step, say.
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        ActionOutcome? other = null;

        var outcome = await UncordonWebWhileItsListIsHeldAsync(harness, async () => other = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None));

        Assert.Equal("node aks-nodepool1-0 uncordoned: it was cordoned for pod shop/web-7d9f-abcde alone", other?.Message);
        Assert.False(outcome.Changed);
        Assert.Equal("node aks-nodepool1-0 is no longer held for pod shop/web-7d9f-abcde", outcome.Message);
        Assert.Equal(Node, outcome.Target);
        Assert.Equal(1, harness.Sim.Requests.CarriedOut("PATCH", NodePath));
        Assert.Null((await NodeAsync(harness))["spec"]!["unschedulable"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheNodeIsRemovedWhileItIsGivenBack_SaysItNoLongerExists(bool patchMeetsAChangeFirst)
    {
        // A node pool scaled down between the uncordon's list and its patch; the patch finds it gone, or finds it changed
        // and reads it again.
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);

        var outcome = await UncordonWebWhileItsListIsHeldAsync(harness, async () =>
        {
            await harness.Sim.Store.DeleteAsync(ResourceCatalog.Nodes, null, Node, CancellationToken.None);
            if (patchMeetsAChangeFirst)
            {
                harness.Sim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = NodePath, StatusCode = 409 });
            }
        });

        Assert.False(outcome.Changed);
        Assert.Equal("node aks-nodepool1-0 no longer exists", outcome.Message);
        Assert.Equal(Node, outcome.Target);
        Assert.Equal(patchMeetsAChangeFirst ? 1 : 0, harness.Sim.Requests.Count("GET", NodePath));
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.Nodes, null, Node, CancellationToken.None));
    }

    [Fact]
    public async Task HoldsEditedByHandIntoSomethingElse_UncordonChangesNothing()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.CordonNode.CordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Nodes, null, Node, "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [CordonHolds.HoldsAnnotation] = "shop/web-7d9f-abcde" } } }, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var uncordon = await Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);

        Assert.False(uncordon.Changed);
        Assert.Equal(0, harness.Sim.Requests.Writes);
        Assert.True((await NodeAsync(harness))["spec"]!["unschedulable"]!.GetValue<bool>());
    }

    private static UncordonNode Uncordon(IsolationHarness harness) => harness.Services.GetRequiredService<UncordonNode>();

    /// <summary>
    /// The web pod's uncordon, its list of cordoned nodes held back until <paramref name="meanwhile"/> has changed the
    /// cluster: what it then writes rests on a list that is out of date.
    /// </summary>
    private static async Task<ActionOutcome> UncordonWebWhileItsListIsHeldAsync(IsolationHarness harness, Func<Task> meanwhile)
    {
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sim.Requests.Reset();
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = "/api/v1/nodes", DelayResponse = true, Until = letGo.Task });
        var web = Uncordon(harness).UncordonAsync(Web, IsolationHarness.EarlierRun, CancellationToken.None);
        await UntilAsync(() => harness.Sim.Requests.CarriedOut("GET", "/api/v1/nodes") == 1, web);
        await meanwhile();
        letGo.SetResult();
        return await web;
    }

    private static async Task<JsonObject> NodeAsync(IsolationHarness harness) =>
        (await harness.Sim.Store.GetAsync(ResourceCatalog.Nodes, null, Node, CancellationToken.None))!;

    /// <summary>The pods a node, as KubeSim stores it, is held for.</summary>
    internal static List<string> Holds(JsonObject node) =>
        JsonNode.Parse((string)node["metadata"]!["annotations"]![CordonHolds.HoldsAnnotation]!)!.AsObject().Select(hold => hold.Key).ToList();

    /// <summary>An object as a comparison of before and after sees it: every write takes a new resourceVersion.</summary>
    internal static JsonObject WithoutVersion(JsonObject node)
    {
        var copy = node.DeepClone().AsObject();
        copy["metadata"]!.AsObject().Remove("resourceVersion");
        return copy;
    }

    private static Task UntilAsync(Func<bool> condition, Task running) =>
        RealTimeLimit.UntilAsync(() => condition() || running.IsCompleted, "the request to hold was not made", TimeSpan.FromSeconds(10));
}
