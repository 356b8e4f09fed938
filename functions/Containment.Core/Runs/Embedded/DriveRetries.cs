using System.Collections.Concurrent;

namespace Containment.Runs.Embedded;

/// <summary>
/// How long a run whose drive failed (storage unreachable past the SDK's own retries, say) waits before it is
/// driven again, and a start whose run write failed, though it may have landed, before the run's row is looked at:
/// <see cref="EmbeddedRuntimeOptions.DriveRetryDelay"/>, doubled after each failure in a row up to
/// <see cref="EmbeddedRuntimeOptions.MaxDriveRetryDelay"/>. A run is never left to wait for a restart, but for one
/// that could not store even its failure (<see cref="UnstorableState"/>), which a retry would not mend.
/// </summary>
internal sealed class DriveRetries(TimeSpan first, TimeSpan max)
{
    private readonly ConcurrentDictionary<string, int> failuresInARow = new(StringComparer.Ordinal);

    /// <summary>How many runs wait to be driven again.</summary>
    public int Count => failuresInARow.Count;

    /// <summary>Counts a failure of the run's drive; the delay before the next one.</summary>
    public TimeSpan Failed(string instanceId)
    {
        var failures = failuresInARow.AddOrUpdate(instanceId, 1, (_, count) => count + 1);
        return DoublingDelay.After(failures, first, max);
    }

    /// <summary>The run's drive went through: the next failure starts from the first delay again.</summary>
    public void Succeeded(string instanceId) => failuresInARow.TryRemove(instanceId, out _);

    /// <summary>Forgets every failure (see <see cref="EmbeddedRuntime.ForgetRuns"/>): the runs are driven again from storage.</summary>
    public void Clear() => failuresInARow.Clear();
}
