using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Support;

/// <summary>
/// A storage pipeline policy that, once armed, lets the next write (any method but GET and HEAD) to a path ending so
/// through, loses its answer, and from then on fails every request without sending it until <see cref="Restore"/>: storage
/// cut right after it did the write. The SDK's tries again meet connection failures, so the write's caller gets a
/// failure though its row landed.
/// </summary>
/// <param name="armed">False to let every request through until <see cref="Arm"/>: for a write whose path earlier writes share.</param>
internal sealed class AnswerLostThenCut(string pathEnd, bool armed = true) : HttpPipelinePolicy
{
    private const int NotArmed = -1;
    private const int Armed = 0;
    private const int Cut = 1;
    private const int Restored = 2;

    private int state = armed ? Armed : NotArmed;
    private int failed;

    /// <summary>Whether the write went through and storage was cut after it.</summary>
    public bool Landed => Volatile.Read(ref state) >= Cut;

    /// <summary>How many requests met the cut, the lost answer included.</summary>
    public int Failed => Volatile.Read(ref failed);

    public void Arm() => Interlocked.CompareExchange(ref state, Armed, NotArmed);

    /// <summary>Storage answers again.</summary>
    public void Restore() => Interlocked.CompareExchange(ref state, Restored, Cut);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the product calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var request = $"{message.Request.Method} {message.Request.Uri.Path}";
        if (Volatile.Read(ref state) == Cut)
        {
            throw Failure($"{request} met storage cut");
        }

        await ProcessNextAsync(message, pipeline);
        if (StorageWrites.IsWriteTo(message, pathEnd) && Interlocked.CompareExchange(ref state, Cut, Armed) == Armed)
        {
            throw Failure($"the answer to {request} was lost");
        }
    }

    /// <summary>What the SDK sees of a connection that fails: status 0, which it tries again.</summary>
    private RequestFailedException Failure(string message)
    {
        Interlocked.Increment(ref failed);
        return new RequestFailedException(0, message, new IOException("Connection reset by peer"));
    }
}
