using System.Text.Json.Nodes;
using Containment.Clusters;
using Containment.Isolation;
using KubeSim;

namespace Containment.Tests.Isolation;

/// <summary>
/// A mutating admission webhook that changes the quarantine policy as it is created (a policy engine adding a
/// monitoring allow rule to every new policy, say): the create's answer shows the policy allowing traffic, so the
/// isolation is not verified, and the warning names the policy.
/// </summary>
public sealed class MutatedPolicyTests
{
    private const string PolicyName = "containment-quarantine-web-7d9f-abcde";

    [Fact]
    public async Task IsolateAsync_WebhookAddsAnAllowRuleToTheNetworkPolicy_NotVerified_WarningNamesIt()
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Store.MutateCreates(ResourceCatalog.NetworkPolicies, created =>
            created["spec"]!["ingress"] = JsonNode.Parse("""[{"from":[{"namespaceSelector":{"matchLabels":{"name":"monitoring"}}}]}]"""));

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.False(outcome.Verified);
        var warning = Assert.Single(outcome.Warnings, w => w.Kind == IsolationWarningKind.VerificationFailed);
        Assert.Equal($"NetworkPolicy {PolicyName} is missing or not deny-all after apply", warning.Message);
        var stored = await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None);
        Assert.NotNull(stored?["spec"]?["ingress"]?[0]?["from"]);
    }

    [Fact]
    public async Task IsolateAsync_WebhookWeakensTheCiliumPolicy_NotVerified_WarningNamesIt()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: true, engine: nameof(NetworkPolicyEngine.Cilium));
        harness.Sim.Store.MutateCreates(ResourceCatalog.CiliumNetworkPolicies, created =>
            created["spec"]!["ingressDeny"] = JsonNode.Parse("""[{"fromEntities":["world"]}]"""));

        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.False(outcome.Verified);
        var warning = Assert.Single(outcome.Warnings, w => w.Kind == IsolationWarningKind.VerificationFailed);
        Assert.Equal($"CiliumNetworkPolicy {PolicyName} is missing or changed after apply", warning.Message);
    }

    [Fact]
    public async Task IsolateAsync_AgainWhereTheWebhookAdmitsCreatesOnly_ReplacesTheWeakenedPolicy_Verified()
    {
        // The webhook admits creates only: the second isolation finds the policy weakened and puts the deny-all back.
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Store.MutateCreates(ResourceCatalog.NetworkPolicies, created =>
            created["spec"]!["ingress"] = JsonNode.Parse("""[{"from":[{"namespaceSelector":{}}]}]"""));
        Assert.False((await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None)).Verified);

        var again = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.True(again.Verified, string.Join("; ", again.Warnings.Select(w => w.Message)));
        var stored = await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None);
        Assert.Null(stored?["spec"]?["ingress"]?[0]);
    }
}
