namespace Containment.Playbooks.Validation;

/// <summary>
/// What the settings say exists, for checks that need it. A null set means "not known here": names of
/// that kind are then not checked (the CLI validates playbooks without any settings).
/// </summary>
public sealed record PlaybookValidationContext
{
    public static PlaybookValidationContext None { get; } = new();

    public IReadOnlySet<string>? Channels { get; init; }

    public IReadOnlySet<string>? Approvers { get; init; }
}
