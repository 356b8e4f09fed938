namespace Containment.Alerts;

/// <summary>Why part of a payload gave no alert: where (a JSON pointer into the body) and what, in plain words.</summary>
/// <remarks>
/// For values that senders embed as JSON strings (the SecurityAlert table's <c>Entities</c>), the pointer
/// continues into the embedded document, e.g. <c>/Entities/3/$ref</c>.
/// </remarks>
public sealed record AlertProblem(string Pointer, string Message)
{
    /// <summary>The longest a sender's value is repeated in a message: enough to recognise it, not a copy of a huge one.</summary>
    public const int MaxQuotedCharacters = 200;

    public override string ToString() => $"{(Pointer.Length == 0 ? "/" : Pointer)}: {Message}";

    /// <summary>A sender's value in quotes, cut to <see cref="MaxQuotedCharacters"/>.</summary>
    public static string Quote(string? value) => $"'{TextCut.WithEllipsis(value ?? string.Empty, MaxQuotedCharacters)}'";
}
