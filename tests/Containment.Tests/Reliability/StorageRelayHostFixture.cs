using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>The product on loopback with its storage behind a relay a test can cut, and short drive retry delays.</summary>
public sealed class StorageRelayHostFixture : LocalHostFixture, IDisposable
{
    private readonly CuttableRelay relay = new();

    /// <summary>Resets every storage connection the host has, and every new one, until <see cref="RestoreStorage"/>.</summary>
    public void CutStorage() => relay.Cut();

    public void RestoreStorage() => relay.RelayTo(AzuritePort);

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
