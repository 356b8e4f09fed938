namespace Containment.Runs.Embedded;

/// <summary>
/// One lock per run, so that a process drives a run from one place at a time. A run's lock exists only
/// while someone holds or waits for it; runs never share one, so a raise that must not wait is never
/// turned away by another run's long activity.
/// </summary>
internal sealed class RunLocks
{
    private readonly Dictionary<string, Gate> gates = new(StringComparer.Ordinal);

    /// <summary>The run's lock if nobody holds it, at once; null otherwise.</summary>
    public RunLock? TryEnter(string instanceId)
    {
        var gate = Join(instanceId);
        if (gate.Semaphore.Wait(0))
        {
            return new RunLock(this, instanceId, gate);
        }

        Leave(instanceId, gate, release: false);
        return null;
    }

    public async Task<RunLock> EnterAsync(string instanceId, CancellationToken cancellationToken)
    {
        var gate = Join(instanceId);
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(instanceId, gate, release: false);
            throw;
        }

        return new RunLock(this, instanceId, gate);
    }

    internal void Leave(string instanceId, Gate gate, bool release)
    {
        bool last;
        lock (gates)
        {
            last = --gate.Users == 0;
            if (last)
            {
                gates.Remove(instanceId);
            }
        }

        if (release)
        {
            gate.Semaphore.Release();
        }

        if (last)
        {
            gate.Semaphore.Dispose();
        }
    }

    private Gate Join(string instanceId)
    {
        lock (gates)
        {
            if (!gates.TryGetValue(instanceId, out var gate))
            {
                gate = new Gate();
                gates[instanceId] = gate;
            }

            gate.Users++;
            return gate;
        }
    }

    /// <summary>A run's semaphore and how many hold or wait for it (guarded by the dictionary's lock).</summary>
    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
