using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment.Tests.Support;

/// <summary>
/// A storage pipeline policy that, at the first read of one entity by its keys, runs the test's change once and holds
/// every such read until the change is done: to change records between a list's choice of its page and its reads.
/// </summary>
internal sealed class BeforePointReads(Func<Task> change) : HttpPipelinePolicy
{
    private readonly Lazy<Task> changed = new(change);

    /// <summary>Whether a point read has run the change.</summary>
    public bool Ran => changed.IsValueCreated;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the ledger calls storage asynchronously");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        // A query goes to Table() (its path ends in "()"); a point read to Table(PartitionKey='…',RowKey='…').
        if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains("(PartitionKey=", StringComparison.Ordinal))
        {
            await changed.Value.WaitAsync(message.CancellationToken);
        }

        await ProcessNextAsync(message, pipeline);
    }
}
