using System.Net;
using System.Text.Json;
using Containment.Api;
using Containment.Local.Hosting;
using Containment.Runs.Embedded;
using Containment.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Api;

/// <summary>
/// The local host started while its storage does not answer: it serves anyway, health says what is wrong, and once
/// storage answers the pick-up of unfinished runs goes through without a restart.
/// </summary>
public sealed class StorageDownAtStartTests
{
    private const string ApiKey = "test-api-key-0123456789";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_StorageDown_ServesAndRecoversOnceStorageAnswers()
    {
        using var storage = new CuttableRelay();
        var port = FreePort.Next();
        var host = LocalHost.Create(port, settingsFile: null, Settings(storage.AzuriteConnectionString, port));
        AzuriteServer? azurite = null;
        try
        {
            await host.StartAsync().WaitAsync(Patience);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            client.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, ApiKey);
            using var whileDown = await client.GetAsync(new Uri("api/health", UriKind.Relative));
            var checksWhileDown = await ChecksAsync(whileDown);

            azurite = await AzuriteServer.StartAsync(RepositoryRoot.Path);
            storage.RelayTo(azurite.Port);
            await host.Services.GetRequiredService<RuntimeRecovery>().WhenRecoveredAsync(CancellationToken.None).WaitAsync(Patience);
            using var once = await client.GetAsync(new Uri("api/health", UriKind.Relative));
            var checksOnce = await ChecksAsync(once);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown.StatusCode);
            Assert.Equal("unhealthy", checksWhileDown["storage"].State);
            Assert.StartsWith("table storage cannot be reached: ", checksWhileDown["storage"].Detail, StringComparison.Ordinal);
            Assert.Equal("degraded", checksWhileDown[RuntimeRecovery.HealthCheckName].State);
            var runtimeDetail = checksWhileDown[RuntimeRecovery.HealthCheckName].Detail;
            Assert.True(runtimeDetail?.StartsWith("runs left unfinished by an earlier process are not picked up yet (storage: no answer); next try at ", StringComparison.Ordinal), runtimeDetail);
            Assert.Equal(HttpStatusCode.OK, once.StatusCode);
            Assert.Equal("healthy", checksOnce["storage"].State);
            Assert.Equal(("healthy", "picked up the 0 run(s) an earlier process left unfinished"), checksOnce[RuntimeRecovery.HealthCheckName]);
        }
        finally
        {
            await host.StopAsync();
            await host.DisposeAsync();
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    /// <summary>Each check's state and detail (null when it has none) by name.</summary>
    private static async Task<Dictionary<string, (string State, string? Detail)>> ChecksAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            check => check.GetProperty("name").GetString()!,
            check => (check.GetProperty("state").GetString()!, check.TryGetProperty("detail", out var detail) ? detail.GetString() : null));
    }

    private static Dictionary<string, string?> Settings(string storage, int port) => new()
    {
        ["AzureWebJobsStorage"] = storage,
        ["Containment:Api:Key"] = ApiKey,
        ["Containment:PlaybooksPath"] = RepositoryRoot.Combine("playbooks"),
        ["Containment:Approvals:SigningKey"] = "test-signing-key-of-at-least-32-bytes!!",
        ["Containment:Approvals:BaseUrl"] = $"http://127.0.0.1:{port}/",
        ["Containment:Runtime:DriveRetryDelay"] = "00:00:00.100",
        ["Containment:Runtime:MaxDriveRetryDelay"] = "00:00:00.500",
    };
}
