using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Runs;

/// <summary>
/// A storage pipeline policy that fails the next requests of one method, sending nothing, the way a call
/// fails once the SDK's own retries are spent: a <see cref="RequestFailedException"/> with status 503, or with the
/// status and error code given (storage refusing the request as it is: 400 EntityTooLarge, say).
/// </summary>
internal sealed class FailingRequests(RequestMethod method, int status = 503, string? errorCode = null) : HttpPipelinePolicy
{
    private int toFail;
    private int failed;

    /// <summary>How many requests have been failed so far.</summary>
    public int Failed => Volatile.Read(ref failed);

    /// <summary>Fails the next <paramref name="count"/> requests of the method.</summary>
    public void FailNext(int count) => Volatile.Write(ref toFail, count);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the runtime calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (message.Request.Method == method && Interlocked.Decrement(ref toFail) >= 0)
        {
            Interlocked.Increment(ref failed);
            throw new RequestFailedException(status, $"storage unavailable ({method} {message.Request.Uri.Path})", errorCode, innerException: null);
        }

        await ProcessNextAsync(message, pipeline);
    }
}
