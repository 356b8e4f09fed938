using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Support;

/// <summary>
/// A storage pipeline policy that lets the first write (any method but GET and HEAD) to a path ending so through, then
/// cancels its caller's token and gives up on its answer: a sender that hung up on slow storage just after its write landed.
/// </summary>
/// <param name="armed">Whether it acts from the start; else from <see cref="Arm"/> on, once a run is set up.</param>
internal sealed class HangUpAfterWrite(string pathEnd, CancellationTokenSource caller, bool armed = true) : HttpPipelinePolicy
{
    private volatile bool armed = armed;
    private int hungUp;

    public void Arm() => armed = true;

    /// <summary>Whether the write went through and its caller hung up.</summary>
    public bool HungUp => Volatile.Read(ref hungUp) == 1;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the product calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        if (armed && StorageWrites.IsWriteTo(message, pathEnd) && Interlocked.CompareExchange(ref hungUp, 1, 0) == 0)
        {
            await caller.CancelAsync();
            throw new OperationCanceledException("the sender hung up", caller.Token);
        }
    }
}
