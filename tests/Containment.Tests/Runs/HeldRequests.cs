using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Runs;

/// <summary>
/// A storage pipeline policy that, once armed, holds every request of one method until the test lets it
/// go: to put a storage call at an exact point between two others.
/// </summary>
internal sealed class HeldRequests(RequestMethod method) : HttpPipelinePolicy
{
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool armed;

    /// <summary>Completes when the first request has been held.</summary>
    public Task Holding => held.Task;

    public void Arm() => armed = true;

    public void Release() => released.TrySetResult();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the runtime calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (armed && message.Request.Method == method)
        {
            held.TrySetResult();
            await released.Task.WaitAsync(message.CancellationToken);
        }

        await ProcessNextAsync(message, pipeline);
    }
}
