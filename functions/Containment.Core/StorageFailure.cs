using Azure;

namespace Containment;

/// <summary>
/// The storage failure inside an exception. A storage answer that is an error comes as a <see cref="RequestFailedException"/>;
/// when every try failed without an answer (refused, reset, timed out), the SDK gathers the tries' failures in an
/// <see cref="AggregateException"/>, whose inner exception is the first try's.
/// </summary>
public static class StorageFailure
{
    public static RequestFailedException? In(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RequestFailedException storage)
            {
                return storage;
            }
        }

        return null;
    }

    /// <summary>The status and error code, which callers may see; never the exception's text, which goes to the log.</summary>
    public static string Describe(RequestFailedException storage) =>
        (storage.Status == 0 ? "no answer" : $"status {storage.Status}") + (storage.ErrorCode is { } code ? $", {code}" : string.Empty);
}
