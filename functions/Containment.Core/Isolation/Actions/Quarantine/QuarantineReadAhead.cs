using System.Text.Json.Nodes;
using k8s.Models;

namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// The two reads a quarantine starts from (the pod, and the policies of its namespace Containment does not manage), and
/// its fence, created ahead.
/// </summary>
internal sealed record QuarantineReads(Task<V1Pod?> Pod, Task<IList<V1NetworkPolicy>> OtherPolicies, QuarantineFence Fence)
{
    /// <summary>Older than <see cref="QuarantineReadAhead.MaxAge"/>: the reads are not to be used, and the fence may have changed since it was made.</summary>
    public bool Stale => Fence.Stale;
}

/// <summary>The creates of a pod's deny-all policies made ahead for a quarantine id, each answering null where it was not made.</summary>
internal sealed record QuarantineFence(string QuarantineId, Task<V1NetworkPolicy?> Policy, Task<JsonNode?> Cilium)
{
    /// <summary>Made longer than <see cref="QuarantineReadAhead.MaxAge"/> ago: the policies may have changed since.</summary>
    public bool Stale { get; init; }

    /// <summary>Once both creates have been answered, whatever the answer (their failures are observed where they are made).</summary>
    public async Task AnsweredAsync() => await Task.WhenAll(Policy, Cilium).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}

/// <summary>
/// Quarantine reads and fences started before the isolation that needs them is sure to run (while its run is being
/// stored), one per pod at a time, fresh for <see cref="MaxAge"/> and kept, stale, for <see cref="FenceKeptFor"/>. One
/// never taken costs two reads and leaves a fence that selects no pod, which the pod's next isolation takes up.
/// </summary>
public sealed class QuarantineReadAhead(TimeProvider time)
{
    /// <summary>
    /// An isolation starts milliseconds after its run is stored. A read older than this is not what the isolation
    /// would have read itself, so it reads again.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a fence made ahead is remembered: an isolation that starts later than <see cref="MaxAge"/> (a busy
    /// host) reads the policy and judges it rather than creating it again.
    /// </summary>
    public static readonly TimeSpan FenceKeptFor = TimeSpan.FromMinutes(1);

    private readonly Dictionary<Key, Entry> entries = [];

    /// <summary>How many pods have fresh reads waiting to be taken.</summary>
    public int Count
    {
        get
        {
            lock (entries)
            {
                return entries.Values.Count(entry => !entry.Stale);
            }
        }
    }

    /// <summary>Starts the reads unless the pod has reads waiting already.</summary>
    internal void Begin(QuarantineRequest request, Func<QuarantineReads> start)
    {
        var key = Key.Of(request);
        lock (entries)
        {
            if (entries.TryGetValue(key, out var waiting))
            {
                if (!waiting.Stale)
                {
                    return;
                }

                waiting.Expiry?.Dispose();
            }

            var reads = start();

            // Failures are seen by whoever takes the reads, or by no one: observed here either way.
            Observe(reads.Pod);
            Observe(reads.OtherPolicies);
            Observe(reads.Fence.Policy);
            Observe(reads.Fence.Cilium);
            var entry = new Entry(reads);
            entry.Expiry = time.CreateTimer(_ => Expire(key, entry), null, MaxAge, Timeout.InfiniteTimeSpan);
            entries[key] = entry;
        }
    }

    /// <summary>The pod's reads and fence made ahead, now no longer waiting (<see cref="QuarantineReads.Stale"/> past <see cref="MaxAge"/>); null when there are none.</summary>
    internal QuarantineReads? Take(QuarantineRequest request)
    {
        Entry? entry;
        lock (entries)
        {
            if (!entries.Remove(Key.Of(request), out entry))
            {
                return null;
            }
        }

        entry.Expiry?.Dispose();
        return entry.Stale ? entry.Reads with { Fence = entry.Reads.Fence with { Stale = true } } : entry.Reads;
    }

    private void Expire(Key key, Entry entry)
    {
        lock (entries)
        {
            if (!entries.TryGetValue(key, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }

            if (!entry.Stale)
            {
                entry.Stale = true;
                entry.Expiry?.Change(FenceKeptFor - MaxAge, Timeout.InfiniteTimeSpan);
                return;
            }

            entries.Remove(key);
        }

        entry.Expiry?.Dispose();
    }

    private static void Observe(Task task) =>
        task.ContinueWith(static done => _ = done.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private readonly record struct Key(string Cluster, string Namespace, string Pod)
    {
        public static Key Of(QuarantineRequest request) => new(request.Cluster, request.Namespace, request.Pod);
    }

    private sealed class Entry(QuarantineReads reads)
    {
        public QuarantineReads Reads { get; } = reads;

        public ITimer? Expiry { get; set; }

        public bool Stale { get; set; }
    }
}
