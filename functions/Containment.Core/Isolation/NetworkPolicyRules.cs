using k8s.Models;

namespace Containment.Isolation;

/// <summary>What a NetworkPolicy lets through for the pods it selects, as Kubernetes reads its <c>policyTypes</c>.</summary>
public static class NetworkPolicyRules
{
    private const string Ingress = "Ingress";
    private const string Egress = "Egress";

    /// <summary>
    /// True when a rule of a direction the policy governs allows some traffic. Rules of a direction it does not govern
    /// are ignored; without <c>policyTypes</c> a policy governs ingress always and egress when it has egress rules.
    /// </summary>
    public static bool AllowsTraffic(V1NetworkPolicySpec? spec)
    {
        var ingressRules = spec?.Ingress?.Count ?? 0;
        var egressRules = spec?.Egress?.Count ?? 0;
        if (spec?.PolicyTypes is not { Count: > 0 } types)
        {
            return ingressRules > 0 || egressRules > 0;
        }

        return (ingressRules > 0 && types.Contains(Ingress)) || (egressRules > 0 && types.Contains(Egress));
    }
}
