namespace KubeSim;

/// <summary>One resource type the simulator serves.</summary>
public sealed record ResourceKind(string Group, string Version, string Plural, string Kind, bool Namespaced, params string[] ShortNames)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();
}
