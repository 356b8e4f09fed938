using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Containment.Ledger;

/// <summary>The ledger's tables, created on first use (and tried again on the next use if creating failed).</summary>
public sealed class LedgerTables : IDisposable
{
    private readonly TableCreation creation;

    public LedgerTables(TableServiceClient service, IOptions<LedgerOptions> options)
    {
        var prefix = options.Value.TablePrefix;
        Isolations = service.GetTableClient(prefix + "Isolations");
        Events = service.GetTableClient(prefix + "Events");
        Audit = service.GetTableClient(prefix + "Audit");
        Poison = service.GetTableClient(prefix + "Poison");
        Approvals = service.GetTableClient(prefix + "Approvals");
        MaxConcurrencyRetries = options.Value.MaxConcurrencyRetries;
        creation = new TableCreation(Isolations, Events, Audit, Poison, Approvals);
    }

    public TableClient Isolations { get; }

    public TableClient Events { get; }

    public TableClient Audit { get; }

    public TableClient Poison { get; }

    public TableClient Approvals { get; }

    public int MaxConcurrencyRetries { get; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => creation.EnsureAsync(cancellationToken);

    public void Dispose() => creation.Dispose();
}
