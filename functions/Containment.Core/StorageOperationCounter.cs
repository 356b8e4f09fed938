using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment;

/// <summary>
/// Counts the requests the storage clients send (each is one billable storage operation), for the
/// benchmarks' "operations per run" and the idle-cost figures.
/// </summary>
public sealed class StorageOperationCounter : HttpPipelinePolicy
{
    private long count;

    public long Count => Interlocked.Read(ref count);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref count);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref count);
        return ProcessNextAsync(message, pipeline);
    }
}
