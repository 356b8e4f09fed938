namespace Containment.Tests.Reliability;

/// <summary>Hostile approval tokens, made against the host's own signing key where they need one.</summary>
public enum ApprovalTokenKind
{
    /// <summary>A stored, undecided request's token: the form is what is wrong.</summary>
    Valid,
    Truncated,
    ForgedSignature,
    WrongRun,
    Replayed,
    Expired,
    Huge,
    NonBase64,
}
