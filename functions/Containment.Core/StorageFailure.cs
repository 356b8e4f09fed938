using System.Net.Sockets;
using Azure;

namespace Containment;

/// <summary>
/// The storage failure inside an exception. A storage answer that is an error comes as a <see cref="RequestFailedException"/>;
/// when every try failed without an answer (refused, reset, timed out), the SDK gathers the tries' failures in an
/// <see cref="AggregateException"/>, among which a try whose connection broke may be a bare transport exception.
/// </summary>
public static class StorageFailure
{
    public static RequestFailedException? In(Exception? exception) => exception switch
    {
        null => null,
        RequestFailedException storage => storage,
        AggregateException tries => tries.InnerExceptions.Select(In).FirstOrDefault(found => found is not null),

        // A connection reset can also leave the SDK bare (seen: a SocketException alone, or as its last try's
        // failure): storage did not answer.
        SocketException or IOException or HttpRequestException => new RequestFailedException(0, exception.Message, exception),
        _ => In(exception.InnerException),
    };

    /// <summary>The status and error code, which callers may see; never the exception's text, which goes to the log.</summary>
    public static string Describe(RequestFailedException storage) =>
        (storage.Status == 0 ? "no answer" : $"status {storage.Status}") + (storage.ErrorCode is { } code ? $", {code}" : string.Empty);
}
