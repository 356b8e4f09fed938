using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Containment.Ledger;

/// <summary>The ledger's tables, created on first use (and tried again on the next use if creating failed).</summary>
public sealed class LedgerTables(TableServiceClient service, IOptions<LedgerOptions> options) : IDisposable
{
    private static readonly string[] Names = ["Isolations", "Events", "Audit", "Poison", "Approvals"];

    private readonly string prefix = options.Value.TablePrefix;
    private readonly SemaphoreSlim creating = new(1, 1);
    private volatile bool created;

    public TableClient Isolations => service.GetTableClient(prefix + "Isolations");

    public TableClient Events => service.GetTableClient(prefix + "Events");

    public TableClient Audit => service.GetTableClient(prefix + "Audit");

    public TableClient Poison => service.GetTableClient(prefix + "Poison");

    public TableClient Approvals => service.GetTableClient(prefix + "Approvals");

    public int MaxConcurrencyRetries { get; } = options.Value.MaxConcurrencyRetries;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (created)
        {
            return;
        }

        await creating.WaitAsync(cancellationToken);
        try
        {
            foreach (var name in Names.Where(_ => !created))
            {
                await service.GetTableClient(prefix + name).CreateIfNotExistsAsync(cancellationToken);
            }

            created = true;
        }
        finally
        {
            creating.Release();
        }
    }

    public void Dispose() => creating.Dispose();
}
