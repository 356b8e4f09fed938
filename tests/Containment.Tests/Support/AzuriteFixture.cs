using Containment.Local.Hosting;
namespace Containment.Tests.Support;

/// <summary>One Azurite for a test collection; tests keep apart by table prefix.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? azurite;

    public string ConnectionString => azurite!.ConnectionString;

    public int Port => azurite!.Port;

    public static string NewTablePrefix() => "T" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync() => azurite = await AzuriteServer.StartAsync(RepositoryRoot.Path);

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
