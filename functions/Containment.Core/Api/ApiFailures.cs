using System.Globalization;
using Containment.Intake;
using Containment.Runs.Embedded;
using Microsoft.Extensions.Logging;

namespace Containment.Api;

/// <summary>
/// The answer when a handler fails: the contract's JSON error rather than an empty 500. Storage that cannot be
/// reached or is overloaded (past the SDK's own retries) is 503 with Retry-After, so Event Grid and SIEM senders
/// deliver again; anything else is 500. The caller learns the storage status and error code, never the
/// exception's text; the exception goes to the log.
/// </summary>
public sealed partial class ApiFailures(ILogger<ApiFailures> logger)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <param name="route">The route's template or function name, never the path: an approval path carries its token.</param>
    public async Task<ApiResponse> GuardAsync(string route, Func<Task<ApiResponse>> handle, CancellationToken cancellationToken)
    {
        try
        {
            return await handle();
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, exception, route);
            return Of(exception);
        }
    }

    public static ApiResponse Of(Exception exception)
    {
        // A host that does not hold the runtime's tables (another does, or it has not taken them yet): the sender delivers
        // again, to this host once it holds them or to the one that does.
        if (exception is RuntimeClosedException closed)
        {
            return TryAgain(closed.Message);
        }

        // A cluster that did not give the pod's labels a trigger asks for: nothing was stored, so a delivery again decides afresh.
        if (exception is PodLabelsUnreadableException unreadable)
        {
            return TryAgain(unreadable.Message);
        }

        return StorageFailure.In(exception) switch
        {
            { Status: 0 or 408 or 429 or 500 or 502 or 503 or 504 } storage => TryAgain($"storage is unavailable ({StorageFailure.Describe(storage)})"),
            { } storage => ApiResponse.Error(500, $"storage refused a write or read ({StorageFailure.Describe(storage)}); the host's log has the details"),
            null => ApiResponse.Error(500, "the request failed on the server; the host's log has the details"),
        };
    }

    private static ApiResponse TryAgain(string why) => ApiResponse.Error(503, $"{why}; try again") with
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture) },
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Request to {Route} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string route);
}
