using System.Net;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Containment.Clusters;

/// <summary>
/// Runs every Kubernetes call through one resilience pipeline: 429, 5xx, timeouts and connection
/// failures are retried with exponential backoff and jitter (Retry-After wins when the server sends
/// it); 401/403/404/409/422 are not retried and become typed <see cref="KubernetesFailure"/>s.
/// </summary>
public sealed class KubernetesCallPipeline
{
    // A guarded delete judges an object that keeps changing under it at most this many times.
    private const int MaxJudgements = 3;

    private readonly ResiliencePipeline pipeline;
    private readonly ILogger<KubernetesCallPipeline> logger;

    public KubernetesCallPipeline(IOptions<ClusterAccessOptions> options, TimeProvider timeProvider, ILogger<KubernetesCallPipeline> logger)
    {
        this.logger = logger;
        var settings = options.Value;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(1, settings.KubernetesMaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.KubernetesRetryBaseDelay,
            MaxDelay = TimeSpan.FromSeconds(30),
            // A cancellation the caller did not ask for is the client's request timeout.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                && (IsTransient(e) || (e is OperationCanceledException && !args.Context.CancellationToken.IsCancellationRequested))),
            DelayGenerator = static args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
            OnRetry = args =>
            {
                logger.LogWarning(args.Outcome.Exception, "Kubernetes call failed (attempt {Attempt}); retrying in {Delay}", args.AttemptNumber + 1, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        });
        pipeline = builder.Build();
    }

    public async Task<T> ExecuteAsync<T>(KubernetesOperation operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(async ct => await call(ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = Map(operation, e);
            // A 404 is often the expected answer (idempotent deletes, existence checks).
            logger.Log(failure.Reason == KubernetesFailureReason.NotFound ? LogLevel.Debug : LogLevel.Warning, e,
                "Kubernetes call {Operation} failed: {Reason} {Message}", operation.ToString(), failure.Reason, failure.Message);
            throw new KubernetesOperationException(failure, e);
        }
    }

    /// <summary>Like <see cref="ExecuteAsync{T}"/>, but a 404 gives <c>default</c>.</summary>
    public async Task<T?> ExecuteOrDefaultAsync<T>(KubernetesOperation operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteAsync(operation, call, cancellationToken);
        }
        catch (KubernetesOperationException e) when (e.Failure.Reason == KubernetesFailureReason.NotFound)
        {
            return default;
        }
    }

    /// <summary>
    /// A delete: whether the object was there and is gone now. A try that got no answer (the client's timeout, a lost
    /// connection) or a server error may have deleted it, and the next try then meets a 404: that too is a delete this
    /// call made.
    /// </summary>
    public Task<bool> DeleteAsync<T>(KubernetesOperation operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        DeleteAsync(operation, (_, ct) => call(ct), cancellationToken);

    /// <summary>
    /// A delete guarded by a read: whether the object was there and is gone now. Before a try that follows one that may
    /// have deleted the object (<paramref name="askFirst"/>: before the first too), <paramref name="stillTheOne"/> reads
    /// the object and judges it; the delete then carries the uid and resourceVersion read as its preconditions, so it
    /// deletes the object judged or nothing: one changed or made again under the name since (409) is read and judged again.
    /// </summary>
    /// <param name="call">The delete, given the preconditions to send (null: none, the try is not guarded).</param>
    /// <param name="stillTheOne">
    /// Reads the object: its preconditions when it is still the one to delete; null when it is gone, or another has taken
    /// its name, which the next try would delete. Null stops, and the delete counts as made when an earlier try may have made it.
    /// </param>
    /// <param name="askFirst">Guard the first try too: a first null stops, and no delete was made.</param>
    public async Task<bool> DeleteAsync<T>(KubernetesOperation operation, Func<V1Preconditions?, CancellationToken, Task<T>> call, CancellationToken cancellationToken,
        Func<CancellationToken, Task<V1Preconditions?>>? stillTheOne = null, bool askFirst = false)
    {
        var unanswered = false;
        var answer = await ExecuteOrDefaultAsync(
            operation,
            async ct =>
            {
                for (var judged = 1; ; judged++)
                {
                    V1Preconditions? exactly = null;
                    if ((unanswered || askFirst) && stillTheOne is not null && (exactly = await stillTheOne(ct)) is null)
                    {
                        return default;
                    }

                    try
                    {
                        return await call(exactly, ct);
                    }
                    catch (HttpOperationException http) when (exactly is not null && http.Response.StatusCode == HttpStatusCode.Conflict && judged < MaxJudgements)
                    {
                        // Changed or made again since it was read: read and judge it again.
                    }
                    catch (Exception e) when (e is HttpRequestException or TimeoutException
                        || (e is OperationCanceledException && !ct.IsCancellationRequested)
                        || (e is HttpOperationException http && (int)http.Response.StatusCode >= 500))
                    {
                        unanswered = true;
                        throw;
                    }
                }
            },
            cancellationToken);
        return answer is not null || unanswered;
    }

    internal static KubernetesFailure Map(KubernetesOperation operation, Exception exception)
    {
        if (exception is KubernetesOperationException known)
        {
            return known.Failure;
        }

        if (exception is HttpOperationException http)
        {
            var code = (int)http.Response.StatusCode;
            var reason = code switch
            {
                401 => KubernetesFailureReason.Unauthorized,
                403 => KubernetesFailureReason.Forbidden,
                404 => KubernetesFailureReason.NotFound,
                409 => KubernetesFailureReason.Conflict,
                422 => KubernetesFailureReason.Invalid,
                429 => KubernetesFailureReason.TooManyRequests,
                >= 500 => KubernetesFailureReason.ServerError,
                _ => KubernetesFailureReason.Unknown,
            };
            var message = reason switch
            {
                KubernetesFailureReason.Forbidden => $"forbidden: the identity may not {operation}",
                KubernetesFailureReason.Unauthorized => $"unauthorized: the cluster rejected the credentials for {operation}",
                KubernetesFailureReason.NotFound => $"not found: {operation}",
                KubernetesFailureReason.Conflict => $"conflict: {operation} (the object changed or already exists)",
                KubernetesFailureReason.Invalid => $"invalid: {operation} was rejected by validation",
                KubernetesFailureReason.TooManyRequests => $"throttled: {operation} still answered 429 after retries",
                KubernetesFailureReason.ServerError => $"server error {code}: {operation} failed after retries",
                _ => $"HTTP {code}: {operation}",
            };
            return new KubernetesFailure(reason, message, code);
        }

        return exception switch
        {
            TimeoutException or TaskCanceledException => new KubernetesFailure(KubernetesFailureReason.Timeout, $"timed out: {operation}"),
            HttpRequestException => new KubernetesFailure(KubernetesFailureReason.Unreachable, $"unreachable: {operation}: {exception.Message}"),
            _ => new KubernetesFailure(KubernetesFailureReason.Unknown, $"{operation}: {exception.Message}"),
        };
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        HttpOperationException http => http.Response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)http.Response.StatusCode >= 500,
        HttpRequestException or TimeoutException => true,
        _ => false,
    };

    // null lets Polly compute the exponential, jittered delay.
    private static TimeSpan? RetryAfter(Exception? exception)
    {
        if (exception is not HttpOperationException http
            || !http.Response.Headers.TryGetValue("Retry-After", out var values))
        {
            return null;
        }

        var value = values.FirstOrDefault();
        return int.TryParse(value, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, 120))
            : null;
    }
}
