namespace Containment.Isolation;

public enum ReleaseStatus
{
    /// <summary>Labels restored and policies deleted by this call.</summary>
    Released,

    /// <summary>Nothing to undo: the pod carries no saved labels and no policy exists.</summary>
    NotIsolated,

    /// <summary>The pod no longer exists; its policies were removed.</summary>
    PodGone,
}
