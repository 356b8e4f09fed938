using Containment.Local.Hosting;
using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>The product on loopback with its storage behind a relay a test can cut, and short drive retry delays.</summary>
public sealed class StorageRelayHostFixture : LocalHostFixture, IAsyncLifetime
{
    public CuttableRelay Relay { get; private set; } = null!;

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Relay.Dispose();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        Relay = new CuttableRelay(AzuritePort);
        settings["AzureWebJobsStorage"] = AzuriteServer.ConnectionStringOn(Relay.Port);
        settings["Containment:Runtime:DriveRetryDelay"] = "00:00:00.100";
        settings["Containment:Runtime:MaxDriveRetryDelay"] = "00:00:00.500";
    }
}
