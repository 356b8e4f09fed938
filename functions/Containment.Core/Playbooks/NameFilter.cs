namespace Containment.Playbooks;

/// <summary>Names to include (empty: all) and names to exclude (wins over include). Compared without case.</summary>
public sealed record NameFilter
{
    public IReadOnlyList<string> Include { get; init; } = [];

    public IReadOnlyList<string> Exclude { get; init; } = [];

    public bool Allows(string? name)
    {
        if (name is not null && Exclude.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        return Include.Count == 0 || (name is not null && Include.Contains(name, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>
    /// For a thing known by several names (a cluster by its alias and its AKS resource id): excluded when any of its
    /// names is, included when any is.
    /// </summary>
    public bool AllowsAny(params IEnumerable<string?> names)
    {
        var known = names.OfType<string>().ToList();
        return !known.Any(name => Exclude.Contains(name, StringComparer.OrdinalIgnoreCase))
            && (Include.Count == 0 || known.Any(name => Include.Contains(name, StringComparer.OrdinalIgnoreCase)));
    }
}
