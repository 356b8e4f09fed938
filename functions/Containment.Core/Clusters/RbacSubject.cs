namespace Containment.Clusters;

public enum RbacSubjectKind
{
    User,
    Group,
    ServiceAccount,
}

/// <summary>Who a binding grants to; <paramref name="Namespace"/> only for a service account.</summary>
public sealed record RbacSubject(RbacSubjectKind Kind, string Name, string? Namespace = null);
