using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Containment;

/// <summary>
/// Counts the requests the storage clients send (each is one billable storage operation), in all and by
/// kind, for the benchmarks' "operations per run", the idle-cost figures and tests that pin a path's cost.
/// </summary>
public sealed class StorageOperationCounter : HttpPipelinePolicy
{
    private const string UncountedProperty = "containment.storage.uncounted";

    private readonly ConcurrentDictionary<(string Kind, string Table), long> counts = new();
    private long count;

    public long Count => Interlocked.Read(ref count);

    /// <summary>A copy of the counts by kind: the HTTP method, and <c>GET query</c> for table queries.</summary>
    public IReadOnlyDictionary<string, long> ByKind =>
        counts.GroupBy(entry => entry.Key.Kind, StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.Sum(entry => entry.Value), StringComparer.Ordinal);

    /// <summary>A copy of the counts by kind and table, e.g. <c>PUT ContainmentRuns</c>, for profiles.</summary>
    public IReadOnlyDictionary<string, long> ByTable =>
        counts.ToDictionary(entry => $"{entry.Key.Kind} {entry.Key.Table}", entry => entry.Value, StringComparer.Ordinal);

    /// <summary>
    /// Requests sent inside the returned scope are not counted: the health check's own probe, so that watching the
    /// count through <c>GET /api/health</c> does not add to it.
    /// </summary>
    public static IDisposable Uncounted() => HttpPipeline.CreateHttpMessagePropertiesScope(new Dictionary<string, object?> { [UncountedProperty] = true });

    /// <summary>The kind of request: its method, and a query apart from a read of one row.</summary>
    public static string KindOf(Request request) =>
        request.Method == RequestMethod.Get && request.Uri.Path.EndsWith("()", StringComparison.Ordinal)
            ? "GET query"
            : request.Method.Method;

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
        if (message.TryGetProperty(UncountedProperty, out _))
        {
            return;
        }

        Interlocked.Increment(ref count);
        var path = message.Request.Uri.Path;
        var table = path[(path.LastIndexOf('/') + 1)..];
        var end = table.IndexOf('(', StringComparison.Ordinal);
        counts.AddOrUpdate((KindOf(message.Request), end < 0 ? table : table[..end]), 1, (_, counted) => counted + 1);
    }
}
