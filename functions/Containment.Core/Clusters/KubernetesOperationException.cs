namespace Containment.Clusters;

/// <summary>Thrown when a Kubernetes or ARM call fails after the retries it deserves.</summary>
public sealed class KubernetesOperationException(KubernetesFailure failure, Exception? inner = null)
    : Exception(failure.Message, inner)
{
    public KubernetesFailure Failure { get; } = failure;

    /// <summary>The same failure, its message ending in <paramref name="note"/>: what the failed call left behind.</summary>
    public KubernetesOperationException WithNote(string note) => new(Failure with { Message = Failure.Message + note }, this);
}
