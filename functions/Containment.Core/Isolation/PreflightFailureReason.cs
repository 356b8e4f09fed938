namespace Containment.Isolation;

/// <summary>Why a pod may not be quarantined.</summary>
public enum PreflightFailureReason
{
    PodNotFound,
    NamespaceProtected,
    HostNetwork,
    NetworkPolicyNotEnforced,
    MirrorPod,
}
