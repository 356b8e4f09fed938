using Azure;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;

namespace Containment.Tests.Runs;

public sealed class RunCacheTests
{
    [Fact]
    public void Put_PastCapacity_KeepsOnlyRunsAlreadyKept()
    {
        var cache = new RunCache(capacity: 1);

        cache.Put(Run("a", new ETag("1")));
        cache.Put(Run("b", new ETag("1")));
        cache.Put(Run("a", new ETag("2")));

        Assert.Equal(new ETag("2"), cache.Get("a")?.ETag);
        Assert.Null(cache.Get("b"));
    }

    [Fact]
    public void Put_FinishedRun_DropsItAndFreesItsPlace()
    {
        var cache = new RunCache(capacity: 1);
        cache.Put(Run("a", new ETag("1")));

        cache.Put(Run("a", new ETag("2"), RunPhase.Finished));
        cache.Put(Run("b", new ETag("1")));

        Assert.Null(cache.Get("a"));
        Assert.NotNull(cache.Get("b"));
    }

    private static StoredRun Run(string id, ETag etag, RunPhase phase = RunPhase.Waiting) => new(
        new RunState { InstanceId = id, Playbook = "p", Alert = MachineDriver.Alert(), Phase = phase, StartedAt = MachineDriver.Start, UpdatedAt = MachineDriver.Start },
        MachineDriver.Shipped("malware"),
        etag);
}
