namespace KubeSim;

/// <summary>One resource type the simulator serves.</summary>
public sealed record ResourceKind(string Group, string Version, string Plural, string Kind, bool Namespaced, params string[] ShortNames)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();

    /// <summary>Where the objects are kept: the plural and the group, unique across the catalog.</summary>
    public string StorageKey { get; } = $"{Plural}.{Group}";
}
