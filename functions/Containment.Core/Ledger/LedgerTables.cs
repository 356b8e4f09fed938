using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Containment.Ledger;

/// <summary>
/// The ledger's tables, created on first use (and tried again on the next use if creating failed). A pod's
/// partition in Isolations holds its isolation record, its approval requests and its audit rows; an event's
/// partition in Events holds the event and its audit rows.
/// </summary>
public sealed class LedgerTables : IDisposable
{
    private readonly TableCreation creation;

    public LedgerTables(TableServiceClient service, IOptions<LedgerOptions> options)
    {
        var prefix = options.Value.TablePrefix;
        Isolations = service.GetTableClient(prefix + "Isolations");
        Events = service.GetTableClient(prefix + "Events");
        Poison = service.GetTableClient(prefix + "Poison");
        MaxConcurrencyRetries = options.Value.MaxConcurrencyRetries;
        CachedRecords = options.Value.CachedRecords;
        All = [Isolations, Events, Poison];
        creation = new TableCreation([.. All]);
    }

    /// <summary>Every table of the ledger.</summary>
    public IReadOnlyList<TableClient> All { get; }

    public TableClient Isolations { get; }

    public TableClient Events { get; }

    public TableClient Poison { get; }

    public int MaxConcurrencyRetries { get; }

    /// <summary>How many recently written records of each kind are kept in memory with their ETag.</summary>
    public int CachedRecords { get; }

    public TableClient Of(AuditSubject subject) => subject switch
    {
        AuditSubject.Isolation => Isolations,
        AuditSubject.SecurityEvent => Events,
        _ => throw new ArgumentOutOfRangeException(nameof(subject), subject, "no such audit subject"),
    };

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => creation.EnsureAsync(cancellationToken);

    public void Dispose() => creation.Dispose();
}
