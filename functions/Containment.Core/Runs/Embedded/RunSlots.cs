namespace Containment.Runs.Embedded;

/// <summary>
/// The slots in which runs are driven (<see cref="EmbeddedRuntimeOptions.MaxConcurrentRuns"/>). A drive holds one and
/// gives it up after each step to whoever waits longest (the semaphore serves waiters in order), so that under load
/// the runs take turns step by step: one run's notifications and approval requests do not hold back another run's
/// isolation.
/// </summary>
internal sealed class RunSlots(int count) : IDisposable
{
    private readonly SemaphoreSlim slots = new(count, count);
    private int waiting;

    /// <summary>How many drives wait for a slot.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    public async Task<Turn> TakeAsync(CancellationToken cancellationToken)
    {
        await WaitAsync(cancellationToken);
        return new Turn(this);
    }

    public void Dispose() => slots.Dispose();

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref waiting);
        try
        {
            await slots.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    /// <summary>A drive's slot: given back on dispose, unless a yield that was cancelled has given it back already.</summary>
    internal sealed class Turn(RunSlots owner) : IDisposable
    {
        private bool held = true;

        /// <summary>Gives the slot to the drive that has waited longest, if any, and waits for it again.</summary>
        public async Task YieldAsync(CancellationToken cancellationToken)
        {
            if (owner.Waiting == 0)
            {
                return;
            }

            held = false;
            owner.slots.Release();
            await owner.WaitAsync(cancellationToken);
            held = true;
        }

        public void Dispose()
        {
            if (held)
            {
                held = false;
                owner.slots.Release();
            }
        }
    }
}
