namespace Containment.Playbooks.Validation;

/// <summary>One thing wrong with a playbook: where (file and JSON pointer) and what, in plain words.</summary>
public sealed record PlaybookProblem(string File, string Pointer, string Message)
{
    public override string ToString() => $"{File}:{Pointer}: {Message}";
}
