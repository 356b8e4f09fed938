using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Support;

/// <summary>
/// A storage pipeline policy that lets the first write (any method but GET and HEAD) to a path ending so through and
/// then loses its answer, as a connection reset after the server did the work would: the SDK sees no answer and tries
/// again, and meets its own write.
/// </summary>
/// <param name="armed">False to let every request through until <see cref="Arm"/>: for a write whose path earlier writes share.</param>
internal sealed class AnswerLostOnce(string pathEnd, bool armed = true) : HttpPipelinePolicy
{
    private int lost = armed ? 0 : -1;

    /// <summary>How many answers were lost: 0 or 1.</summary>
    public int Lost => Math.Max(0, Volatile.Read(ref lost));

    /// <summary>Loses the answer of the next write to the path.</summary>
    public void Arm() => Interlocked.CompareExchange(ref lost, 0, -1);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the product calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        if (StorageWrites.IsWriteTo(message, pathEnd) && Interlocked.CompareExchange(ref lost, 1, 0) == 0)
        {
            throw new RequestFailedException(0, $"the answer to {message.Request.Method} {message.Request.Uri.Path} was lost", new IOException("Connection reset by peer"));
        }
    }
}
