namespace Containment.Isolation;

/// <summary>What a release did.</summary>
public sealed record ReleaseOutcome
{
    public required ReleaseStatus Status { get; init; }

    public required string Cluster { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public IReadOnlyList<string> DeletedPolicies { get; init; } = [];

    public IReadOnlyDictionary<string, string> RestoredLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Notes { get; init; } = [];
}
