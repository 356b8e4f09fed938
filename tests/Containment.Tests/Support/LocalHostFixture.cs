using System.Net.Http.Headers;
using Azure.Data.Tables;
using Containment.Api;
using Containment.Local.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Support;

/// <summary>
/// The local host on a free loopback port over a real Azurite, with the shipped playbooks: what a user
/// runs, reached over real HTTP.
/// </summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    public const string ApiKey = "test-api-key-0123456789";

    private AzuriteProcess? azurite;
    private WebApplication? host;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => host!.Services;

    public string StorageConnectionString => azurite!.ConnectionString;

    /// <summary>A table prefix no other fixture uses, so runs of the suite never see each other's rows.</summary>
    public string TablePrefix { get; } = "T" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        var port = FreePort.Next();
        host = LocalHost.Create(port, settingsFile: null, Settings());
        await host.StartAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateClient()
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, ApiKey);
        return client;
    }

    public HttpClient CreateAnonymousClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public TableServiceClient Tables => Get<TableServiceClient>();

    private Dictionary<string, string?> Settings() => new()
    {
        ["AzureWebJobsStorage"] = azurite!.ConnectionString,
        ["Containment:Api:Key"] = ApiKey,
        ["Containment:PlaybooksPath"] = RepositoryRoot.Combine("playbooks"),
        ["Containment:Ledger:TablePrefix"] = TablePrefix,
        ["Containment:Notifications:Channels:soc-teams:Type"] = "teams",
        ["Containment:Notifications:Channels:soc-email:Type"] = "email",
        ["Containment:Notifications:Channels:soc-oncall:Type"] = "webhook",
    };
}

[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "local host";
}
