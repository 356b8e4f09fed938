using Containment.Playbooks.Validation;

namespace Containment.Playbooks.Loading;

/// <summary>The valid playbooks, and every problem found in the others (a file with any problem is left out).</summary>
public sealed record PlaybookLoadResult(PlaybookCatalog Catalog, IReadOnlyList<PlaybookProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
