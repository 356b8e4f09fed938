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
}
