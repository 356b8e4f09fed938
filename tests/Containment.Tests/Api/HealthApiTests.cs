using System.Text.Json;
using Azure.Data.Tables;
using Containment.Api;
using Containment.Ledger;
using Containment.Local.Hosting;
using Containment.Playbooks;
using Containment.Tests.Support;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Api;

[Collection(LocalHostCollection.Name)]
public sealed class HealthApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task Check_StorageStopsAfterTablesWereCreated_SaysUnhealthy()
    {
        var azurite = await AzuriteServer.StartAsync(RepositoryRoot.Path);
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        using var tables = Tables(azurite.ConnectionString, options);
        var health = Health(tables, new StorageOperationCounter());

        var before = await health.CheckAsync(CancellationToken.None);
        await azurite.DisposeAsync();
        var after = await health.CheckAsync(CancellationToken.None);

        Assert.Equal(200, before.Status);
        Assert.Equal(503, after.Status);
        var storage = JsonSerializer.SerializeToElement(after.Body, ContainmentJson.Options).GetProperty("checks")[0];
        Assert.Equal("storage", storage.GetProperty("name").GetString());
        Assert.Equal("unhealthy", storage.GetProperty("state").GetString());
        Assert.StartsWith("table storage cannot be reached: ", storage.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_StorageDownPastTheSdkRetries_SaysUnhealthyInItsOwnAnswer()
    {
        // The SDK gathers the failures of all its tries in an AggregateException.
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        using var storage = new CuttableRelay();
        using var tables = Tables(storage.AzuriteConnectionString, options);

        var answer = await Health(tables, new StorageOperationCounter()).CheckAsync(CancellationToken.None);

        Assert.Equal(503, answer.Status);
        var body = JsonSerializer.SerializeToElement(answer.Body, ContainmentJson.Options);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        var check = body.GetProperty("checks")[0];
        Assert.Equal("storage", check.GetProperty("name").GetString());
        Assert.StartsWith("table storage cannot be reached: ", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AReporterDegraded_AddsItsCheckAndSaysDegraded()
    {
        using var tables = Tables(host.StorageConnectionString, new TableClientOptions());
        var reporter = new FixedReporter(new HealthCheck("runtime", HealthState.Degraded, "runs wait"));

        var answer = await new HealthApi(tables, host.Get<PlaybookRepository>(), new StorageOperationCounter(), [reporter]).CheckAsync(CancellationToken.None);

        Assert.Equal(200, answer.Status);
        var body = JsonSerializer.SerializeToElement(answer.Body, ContainmentJson.Options);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        var runtime = body.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == "runtime");
        Assert.Equal("degraded", runtime.GetProperty("state").GetString());
        Assert.Equal("runs wait", runtime.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Check_Repeated_AddsNothingToTheStorageOperationCount()
    {
        var counter = new StorageOperationCounter();
        var options = new TableClientOptions();
        options.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry);
        using var tables = Tables(host.StorageConnectionString, options);
        var health = Health(tables, counter);
        await health.CheckAsync(CancellationToken.None);
        var created = counter.Count;

        var checks = new List<ApiResponse>();
        for (var check = 0; check < 3; check++)
        {
            checks.Add(await health.CheckAsync(CancellationToken.None));
        }

        Assert.All(checks, response => Assert.Equal(200, response.Status));
        Assert.True(created > 0, "creating the tables was counted");
        Assert.Equal(created, counter.Count);
    }

    /// <summary>The ledger's tables under a prefix of their own, over a client built as the test needs it.</summary>
    private static LedgerTables Tables(string connectionString, TableClientOptions options) =>
        new(new TableServiceClient(connectionString, options), Options.Create(new LedgerOptions { TablePrefix = "H" + Guid.NewGuid().ToString("N")[..12] }));

    private HealthApi Health(LedgerTables tables, StorageOperationCounter counter) => new(tables, host.Get<PlaybookRepository>(), counter, []);

    private sealed class FixedReporter(HealthCheck check) : IHealthReporter
    {
        public HealthCheck Report() => check;
    }
}
