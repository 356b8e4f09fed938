using Containment.Runs.Embedded;
using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>The product on loopback with its storage behind a relay a test can cut, and short drive retry delays.</summary>
public sealed class StorageRelayHostFixture : LocalHostFixture, IDisposable
{
    private readonly CuttableRelay relay = new();

    /// <summary>Resets every storage connection the host has, and every new one, until <see cref="RestoreStorageAsync"/>.</summary>
    public void CutStorage() => relay.Cut();

    /// <summary>
    /// Storage answers again, and the host holds the runtime's tables again with at least half a term ahead: a cut long
    /// enough lapses its lease, and one that failed a renewal leaves it near its end; until a renewal goes through it
    /// answers 503 (a sender delivers again), as a test's next request would meet.
    /// </summary>
    public async Task RestoreStorageAsync()
    {
        relay.RelayTo(AzuritePort);
        var lease = Get<RuntimeLease>();
        var halfATerm = Get<Microsoft.Extensions.Options.IOptions<EmbeddedRuntimeOptions>>().Value.LeaseTerm / 2;
        await RealTimeLimit.UntilAsync(
            () => lease.Closed is null && lease.OpenUntil - TimeProvider.System.GetUtcNow() >= halfATerm,
            "the host did not hold the runtime's tables again once storage answered",
            TimeSpan.FromSeconds(60));
    }

    /// <summary>After the host has stopped (xunit disposes a fixture's <see cref="IAsyncLifetime"/> side first).</summary>
    public void Dispose() => relay.Dispose();

    protected override void Configure(IDictionary<string, string?> settings)
    {
        relay.RelayTo(AzuritePort);
        settings["AzureWebJobsStorage"] = relay.AzuriteConnectionString;
        settings["Containment:Runtime:DriveRetryDelay"] = "00:00:00.100";
        settings["Containment:Runtime:MaxDriveRetryDelay"] = "00:00:00.500";
    }
}
