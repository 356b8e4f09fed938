using System.Text.Json.Nodes;
using Containment.Clusters;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>Whether a quarantine holds as applied, and what may leave traffic open where it does: the isolation's warnings.</summary>
internal static class QuarantineVerification
{
    // The pod and the quarantine policies are checked in the API server's answers to their writes (or reads), the
    // other policies in the namespace in one list read (QuarantinePod.ListOtherPoliciesAsync).
    public static bool Verify(V1Pod pod, V1NetworkPolicy policy, IList<V1NetworkPolicy> otherPolicies, string? ciliumName, JsonNode? cilium, string quarantineId,
        List<IsolationWarning> warnings)
    {
        var policyName = policy.Metadata.Name;
        var ns = pod.Metadata.NamespaceProperty;
        var labels = pod.Metadata?.Labels;
        var podOk = labels is { Count: 1 } && labels.TryGetValue(QuarantineNames.QuarantineLabel, out var v) && v == quarantineId;
        if (!podOk)
        {
            warnings.Add(new IsolationWarning(IsolationWarningKind.VerificationFailed,
                $"pod {ns}/{pod.Metadata?.Name} does not carry exactly the quarantine label after relabelling"));
        }

        var policyOk = QuarantinePolicyWrites.IsDenyAll(policy, quarantineId);
        if (!policyOk)
        {
            warnings.Add(new IsolationWarning(IsolationWarningKind.VerificationFailed, $"NetworkPolicy {policyName} is missing or not deny-all after apply", policyName));
        }

        ReportOtherPolicies(otherPolicies, policyName, quarantineId, warnings);

        var ciliumOk = true;
        if (ciliumName is not null)
        {
            ciliumOk = cilium is not null && JsonNode.DeepEquals(cilium["spec"], QuarantinePolicyWrites.CiliumSpec(quarantineId));
            if (!ciliumOk)
            {
                warnings.Add(new IsolationWarning(IsolationWarningKind.VerificationFailed, $"CiliumNetworkPolicy {ciliumName} is missing or changed after apply", ciliumName));
            }
        }

        return podOk && policyOk && ciliumOk;
    }

    // NetworkPolicies only add allows: another policy selecting the quarantine label weakens the deny-all when it
    // allows traffic. One that allows nothing (a namespace's default deny) changes nothing and is not reported.
    private static void ReportOtherPolicies(IEnumerable<V1NetworkPolicy> policies, string policyName, string quarantineId, List<IsolationWarning> warnings)
    {
        var quarantineLabels = new Dictionary<string, string> { [QuarantineNames.QuarantineLabel] = quarantineId };
        foreach (var policy in policies)
        {
            var name = policy.Metadata.Name;
            if (name == policyName || !LabelSelectorMatcher.Matches(policy.Spec?.PodSelector, quarantineLabels) || !NetworkPolicyRules.AllowsTraffic(policy.Spec))
            {
                continue;
            }

            var empty = policy.Spec?.PodSelector?.MatchLabels is not { Count: > 0 } && policy.Spec?.PodSelector?.MatchExpressions is not { Count: > 0 };
            warnings.Add(new IsolationWarning(IsolationWarningKind.OtherPolicySelectsPod,
                $"NetworkPolicy {name} {(empty ? "has an empty podSelector and selects every pod, including the quarantined one" : "selects the quarantined pod")}"
                + "; it allows traffic, which the deny-all policy does not override",
                name));
        }
    }

    public static void AddEngineWarnings(ClusterFacts facts, bool ciliumApplied, List<IsolationWarning> warnings)
    {
        switch (facts.Engine)
        {
            case NetworkPolicyEngine.Calico:
                warnings.Add(new IsolationWarning(IsolationWarningKind.EstablishedConnectionsKept,
                    "Calico keeps connections established before the policy; restart or delete the pod to cut them"));
                break;
            case NetworkPolicyEngine.Azure:
                warnings.Add(new IsolationWarning(IsolationWarningKind.EstablishedConnectionsUnknown,
                    "Azure Network Policy Manager: whether established connections survive is not documented; treat them as kept"));
                break;
            case NetworkPolicyEngine.Unknown:
                warnings.Add(new IsolationWarning(IsolationWarningKind.EngineUnknown,
                    "the network policy engine is not known (set Containment:Clusters:<alias>:NetworkPolicyEngine): enforcement and established connections are unconfirmed"));
                break;
            case NetworkPolicyEngine.Cilium:
                // Cilium checks every packet against policy; nothing to warn about connections.
                break;
        }

        if (ciliumApplied && facts.Engine != NetworkPolicyEngine.Cilium)
        {
            warnings.Add(new IsolationWarning(IsolationWarningKind.CiliumPolicyBestEffort,
                "a CiliumNetworkPolicy was applied because the cluster serves the CRD; it is enforced only where Cilium runs the policy engine"));
        }
    }
}
