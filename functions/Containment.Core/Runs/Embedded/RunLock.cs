namespace Containment.Runs.Embedded;

/// <summary>A held run lock. It may be handed from the task that took it to another, which releases it.</summary>
internal sealed class RunLock : IDisposable
{
    private readonly RunLocks owner;
    private readonly string instanceId;
    private readonly RunLocks.Gate gate;
    private int released;

    internal RunLock(RunLocks owner, string instanceId, RunLocks.Gate gate) => (this.owner, this.instanceId, this.gate) = (owner, instanceId, gate);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
        {
            owner.Leave(instanceId, gate, release: true);
        }
    }
}
