namespace Containment.Clusters;

/// <summary>The kinds of object name an alert or a request names.</summary>
public enum KubernetesNameKind
{
    Namespace,
    Pod,
    Container,
    Node,
}
