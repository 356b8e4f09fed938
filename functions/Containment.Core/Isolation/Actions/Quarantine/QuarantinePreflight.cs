using Containment.Clusters;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>The checks made before a quarantine writes anything.</summary>
public static class QuarantinePreflight
{
    /// <summary>In the order <see cref="Check"/> makes them.</summary>
    public static readonly IReadOnlyList<string> Checks =
    [
        "the pod's namespace is not protected (kube-system, kube-public, kube-node-lease, Containment:ProtectedNamespaces)",
        "the pod exists",
        "it is not a hostNetwork pod (NetworkPolicy does not apply to it)",
        "it is not a static (mirror) pod",
        "the cluster enforces NetworkPolicy (AKS networkProfile.networkPolicy or the configured engine is not none)",
    ];

    /// <summary>The first check that fails, or null when the pod may be quarantined.</summary>
    public static PreflightFailure? Check(string ns, string podName, V1Pod? pod, ClusterFacts facts, ClusterAccessOptions options)
    {
        if (options.IsProtected(ns))
        {
            return new PreflightFailure(PreflightFailureReason.NamespaceProtected,
                $"namespace {ns} is protected: Containment does not isolate pods there");
        }

        if (pod is null)
        {
            return new PreflightFailure(PreflightFailureReason.PodNotFound,
                $"pod {ns}/{podName} was not found in cluster {facts.Alias}");
        }

        if (pod.Spec?.HostNetwork == true)
        {
            return new PreflightFailure(PreflightFailureReason.HostNetwork,
                $"pod {ns}/{podName} uses hostNetwork: a NetworkPolicy cannot isolate it; cordon its node or delete it instead");
        }

        if (pod.Metadata?.Annotations?.ContainsKey(QuarantineNames.MirrorPodAnnotation) == true
            || pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "Node") == true)
        {
            return new PreflightFailure(PreflightFailureReason.MirrorPod,
                $"pod {ns}/{podName} is a static (mirror) pod managed by its node's kubelet: the API cannot change it");
        }

        if (facts.Engine == NetworkPolicyEngine.None)
        {
            return new PreflightFailure(PreflightFailureReason.NetworkPolicyNotEnforced,
                $"cluster {facts.Alias} does not enforce NetworkPolicy (network policy engine: none{(facts.EngineConfigured ? ", as configured" : " in AKS networkProfile")}): a quarantine policy would have no effect");
        }

        return null;
    }
}
