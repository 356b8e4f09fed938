using Containment.Approvals;

namespace Containment.Api;

/// <summary>
/// The reason a person gives for an act by hand (an isolation, a release, an event's new status). It is kept in the
/// record, its audit row and the run's alert, so it must be said, and short enough for a table row to hold beside them.
/// </summary>
public static class ReasonText
{
    /// <summary>As long as a comment on an approval page.</summary>
    public const int MaxLength = ApprovalForm.MaxCommentLength;

    public const string Pointer = "/reason";

    /// <summary>What is wrong with <paramref name="reason"/>, if anything; <paramref name="ask"/> says what a blank one lacks.</summary>
    public static ApiErrorDetail? Problem(string? reason, string ask) =>
        string.IsNullOrWhiteSpace(reason) ? new ApiErrorDetail(Pointer, ask)
        : reason.Length > MaxLength ? new ApiErrorDetail(Pointer, $"the reason is {reason.Length} characters; at most {MaxLength} are kept")
        : HumanText.Problem(reason, "the reason", lines: true) is { } problem ? new ApiErrorDetail(Pointer, problem)
        : null;
}
