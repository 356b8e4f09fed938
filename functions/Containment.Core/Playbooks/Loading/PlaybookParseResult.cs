using Containment.Playbooks.Validation;

namespace Containment.Playbooks.Loading;

/// <summary>A parsed playbook, when the document could be read, with every problem found in it.</summary>
public sealed record PlaybookParseResult(IReadOnlyList<PlaybookProblem> Problems, Playbook? Playbook = null)
{
    public bool IsValid => Playbook is not null && Problems.Count == 0;

    public static PlaybookParseResult Failed(params PlaybookProblem[] problems) => new(problems);
}
