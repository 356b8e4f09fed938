namespace Containment.Activities;

/// <summary>
/// An exception as the reason a step failed, for the run's history, the ledger and chat: a storage failure by what
/// storage said (the SDK's own text repeats every one of its tries), anything else by its type and message.
/// </summary>
public static class FailureReason
{
    public static string Of(Exception exception) => StorageFailure.In(exception) switch
    {
        // Azure.Core reports a transport failure (refused, reset, DNS) as status 0, the transport's exception inside.
        { Status: 0 } storage => $"storage did not answer: {(storage.InnerException ?? storage).Message}",
        { } storage => $"storage answered {storage.Status}" + (storage.ErrorCode is { } code ? $" {code}" : string.Empty),
        null => $"{exception.GetType().Name}: {exception.Message}",
    };
}
