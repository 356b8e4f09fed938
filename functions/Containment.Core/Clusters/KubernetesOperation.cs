namespace Containment.Clusters;

/// <summary>Describes one Kubernetes call, so failures can say who may not do what where.</summary>
public sealed record KubernetesOperation(string Verb, string Resource, string? Namespace = null, string? Name = null)
{
    public override string ToString() =>
        $"{Verb} {Resource}{(Name is null ? "" : $" \"{Name}\"")}{(Namespace is null ? "" : $" in namespace {Namespace}")}";
}
