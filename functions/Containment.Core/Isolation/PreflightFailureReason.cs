namespace Containment.Isolation;

/// <summary>Why a pod may not be quarantined, or deleted.</summary>
public enum PreflightFailureReason
{
    PodNotFound,
    NamespaceProtected,
    HostNetwork,
    NetworkPolicyNotEnforced,
    MirrorPod,

    /// <summary>The run that would delete the pod isolated it, and the pod has been given back since.</summary>
    GivenBackSinceIsolated,
}
