using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Support;

/// <summary>
/// A storage pipeline policy that, once armed, refuses the next write (any method but GET and HEAD) to a path ending so
/// without sending it, as storage still busy after the SDK's own retries answers: nothing is written.
/// </summary>
internal sealed class WriteRefusedOnce(string pathEnd) : HttpPipelinePolicy
{
    private int state = -1; // -1: not armed, 0: armed, 1: refused one

    /// <summary>How many writes were refused: 0 or 1.</summary>
    public int Refused => Math.Max(0, Volatile.Read(ref state));

    public void Arm() => Interlocked.CompareExchange(ref state, 0, -1);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the product calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (StorageWrites.IsWriteTo(message, pathEnd) && Interlocked.CompareExchange(ref state, 1, 0) == 0)
        {
            throw new RequestFailedException(503, "The server is busy.", "ServerBusy", innerException: null);
        }

        await ProcessNextAsync(message, pipeline);
    }
}
