namespace Containment.Playbooks;

/// <summary>Names to include (empty: all) and names to exclude (wins over include). Compared without case.</summary>
public sealed record NameFilter
{
    public IReadOnlyList<string> Include { get; init; } = [];

    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>
    /// Whether a thing is let through by its names (a namespace by one; a cluster by its alias and its AKS resource id):
    /// excluded when any of its names is, included when any is. Null names are none.
    /// </summary>
    public bool Allows(params ReadOnlySpan<string?> names)
    {
        var included = Include.Count == 0;
        foreach (var name in names)
        {
            if (name is null)
            {
                continue;
            }

            if (Exclude.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }

            included |= Include.Contains(name, StringComparer.OrdinalIgnoreCase);
        }

        return included;
    }
}
