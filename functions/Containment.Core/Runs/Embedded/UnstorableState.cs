using Containment.Runs.Machine;

namespace Containment.Runs.Embedded;

/// <summary>
/// Failures to store a run's state that storing it again cannot mend: the row cannot be made (<see cref="TableJson"/>
/// refuses a state past its size, <see cref="TableJson.RowTooLargeException"/>), or storage refuses the request as it is (400:
/// PropertyValueTooLarge, EntityTooLarge; 413: RequestBodyTooLarge). A drive retried after one goes back to the stored
/// state, makes its pending calls again and meets the same failure, forever; the run ends failed instead.
/// </summary>
internal static class UnstorableState
{
    /// <summary>How much of each of the alert's texts (title, description, rule) a run ended so keeps: its security event keeps them whole.</summary>
    public const int KeptAlertText = 1_000;

    /// <param name="exception">A failure of a write of the run's state row.</param>
    public static bool Is(Exception exception) =>
        exception is TableJson.RowTooLargeException || StorageFailure.In(exception) is { Status: 400 or 413 };

    public static string Reason(Exception exception) =>
        "the run's state could not be stored (" + (StorageFailure.In(exception) is { } storage ? StorageFailure.Describe(storage) : exception.Message)
        + "), so the run cannot go on; its pending calls were not made again";

    /// <summary>
    /// The run ended failed for <paramref name="reason"/>, small enough to store: it has no pending calls, and the
    /// alert's free text, what makes a state large, is cut.
    /// </summary>
    public static RunState Ended(RunState state, string reason, DateTimeOffset at)
    {
        var ended = PlaybookMachine.EndFailed(state, reason, at);
        var alert = ended.Alert;
        return ended with
        {
            Alert = alert with
            {
                Title = TextCut.WithEllipsis(alert.Title, KeptAlertText),
                Description = alert.Description is { } description ? TextCut.WithEllipsis(description, KeptAlertText) : null,
                Rule = alert.Rule is { } rule ? TextCut.WithEllipsis(rule, KeptAlertText) : null,
            },
        };
    }
}
