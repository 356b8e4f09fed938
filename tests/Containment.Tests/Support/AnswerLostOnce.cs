using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Support;

/// <summary>
/// A storage pipeline policy that lets the first request to a path ending so through and then loses its answer, as
/// a connection reset after the server did the work would: the SDK sees no answer and tries again.
/// </summary>
internal sealed class AnswerLostOnce(string pathEnd) : HttpPipelinePolicy
{
    private int lost;

    /// <summary>How many answers were lost: 0 or 1.</summary>
    public int Lost => Volatile.Read(ref lost);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the product calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        if (message.Request.Uri.Path.EndsWith(pathEnd, StringComparison.Ordinal) && Interlocked.CompareExchange(ref lost, 1, 0) == 0)
        {
            throw new RequestFailedException(0, $"the answer to {message.Request.Method} {message.Request.Uri.Path} was lost", new IOException("Connection reset by peer"));
        }
    }
}
