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
    public LedgerTables Tables { get; } = new(
        host.Get<TableServiceClient>(),
        Options.Create(new LedgerOptions { TablePrefix = name + Guid.NewGuid().ToString("N")[..12] }));

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
