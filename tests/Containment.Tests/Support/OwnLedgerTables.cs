using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Containment.Ledger;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Support;

/// <summary>
/// Ledger tables of one test's own, under a prefix no other test uses, deleted once it ends: the test knows every
/// record a list gives.
/// </summary>
public sealed class OwnLedgerTables(LocalHostFixture host, string name) : IDisposable
{
    private readonly IOptions<LedgerOptions> options = Options.Create(new LedgerOptions { TablePrefix = name + Guid.NewGuid().ToString("N")[..12] });

    public LedgerTables Tables => field ??= new(host.Get<TableServiceClient>(), options);

    /// <summary>The same tables through a client of the test's own, whose every try passes <paramref name="policy"/>; the caller disposes it.</summary>
    public LedgerTables Through(HttpPipelinePolicy policy)
    {
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        return new LedgerTables(new TableServiceClient(host.StorageConnectionString, clientOptions), options);
    }

    /// <summary>Deletes the tables, for a test's <see cref="IAsyncLifetime.DisposeAsync"/>.</summary>
    public async Task DeleteAsync()
    {
        foreach (var table in Tables.All)
        {
            await table.DeleteAsync();
        }
    }

    public void Dispose() => Tables.Dispose();
}
