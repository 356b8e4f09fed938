namespace Containment.Clusters;

/// <summary>Why a Kubernetes or ARM call failed, in terms a run can record.</summary>
public enum KubernetesFailureReason
{
    Unknown,
    UnknownCluster,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
    TooManyRequests,
    ServerError,
    Timeout,
    Unreachable,
}
