using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment;

/// <summary>
/// Counts the requests the storage clients send (each is one billable storage operation), for the
/// benchmarks' "operations per run" and the idle-cost figures, in total and per method and table.
/// </summary>
public sealed class StorageOperationCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, long> byKind = new(StringComparer.Ordinal);
    private long count;

    public long Count => Interlocked.Read(ref count);

    /// <summary>Requests per "METHOD table" (a batch counts as one, under <c>$batch</c>).</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(byKind, StringComparer.Ordinal);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Record(HttpMessage message)
    {
        Interlocked.Increment(ref count);
        var path = message.Request.Uri.Path;
        var table = path[(path.LastIndexOf('/') + 1)..];
        var end = table.IndexOf('(', StringComparison.Ordinal);
        byKind.AddOrUpdate($"{message.Request.Method} {(end < 0 ? table : table[..end])}", 1, (_, n) => n + 1);
    }
}
