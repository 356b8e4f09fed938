using Azure;
using Azure.Data.Tables;
using Containment.Ledger;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Drift;

/// <summary>
/// What the drift watch has reported and not yet seen cleared: a row per disagreement (and per unreadable cluster) in
/// the ledger's Drift table, under its cluster's partition. A standing disagreement is reported once, not at every
/// check; once it clears, its row goes, so that it is reported again if it comes back. Kept in storage because a
/// Functions timer may run on a fresh instance each time.
/// </summary>
public sealed class ReportedDrift : IDisposable
{
    /// <summary>The key an unreadable cluster is remembered by, in that cluster's partition.</summary>
    public const string UnreadableKey = "unreadable";

    private const string AccessPrefix = "access|";

    private const string ClusterColumn = "Cluster";
    private const string KeyColumn = "Key";
    private const string ReportedAtColumn = "ReportedAt";

    private readonly TableClient table;
    private readonly TableCreation creation;

    public ReportedDrift(TableServiceClient service, IOptions<LedgerOptions> options)
    {
        table = service.GetTableClient(options.Value.TablePrefix + "Drift");
        creation = new TableCreation(table);
    }

    /// <summary>The key a finding is remembered by: a change of kind is a new disagreement, a change of wording is not.</summary>
    public static string KeyOf(DriftFinding finding) =>
        string.Join('|', KebabCaseEnumConverter.ToWireName(finding.Kind), finding.Namespace, finding.Pod, finding.IsolationId);

    /// <summary>The key a cluster short of access is remembered by: what is missing, so missing something else is reported again.</summary>
    public static string AccessKeyOf(ClusterChecked cluster) =>
        AccessPrefix + string.Join(';', (cluster.MissingPermissions ?? []).Select(permission => permission.ToString()));

    public static bool IsAccessKey(string key) => key.StartsWith(AccessPrefix, StringComparison.Ordinal);

    /// <summary>What a remembered key stood for, once it has cleared.</summary>
    public static DriftCleared ClearedOf(string cluster, string key)
    {
        if (IsAccessKey(key))
        {
            return new DriftCleared(cluster, AccessGranted: true);
        }

        var parts = key.Split('|');
        return parts.Length == 4 && KebabCaseEnumConverter.TryParse<DriftKind>(parts[0], out var kind)
            ? new DriftCleared(cluster, kind, parts[1], parts[2])
            : new DriftCleared(cluster);
    }

    /// <summary>Every key reported and not cleared, by cluster.</summary>
    public async Task<Dictionary<string, HashSet<string>>> ReadAsync(CancellationToken cancellationToken)
    {
        await creation.EnsureAsync(cancellationToken);
        var reported = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(select: [KeyColumn, ClusterColumn], cancellationToken: cancellationToken))
        {
            var cluster = row.GetString(ClusterColumn);
            if (!reported.TryGetValue(cluster, out var keys))
            {
                reported[cluster] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(row.GetString(KeyColumn));
        }

        return reported;
    }

    public async Task AddAsync(string cluster, IEnumerable<string> keys, DateTimeOffset reportedAt, CancellationToken cancellationToken)
    {
        await creation.EnsureAsync(cancellationToken);
        var rows = keys.Select(key => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(TableKey.Encode(cluster), TableKey.Encode(key))
        {
            [ClusterColumn] = cluster,
            [KeyColumn] = key,
            [ReportedAtColumn] = reportedAt,
        }));

        // A transaction holds at most 100 rows of one partition.
        foreach (var chunk in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk, cancellationToken);
        }
    }

    public async Task RemoveAsync(string cluster, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await creation.EnsureAsync(cancellationToken);
        foreach (var key in keys)
        {
            try
            {
                await table.DeleteEntityAsync(TableKey.Encode(cluster), TableKey.Encode(key), ETag.All, cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                // Already cleared by another watch.
            }
        }
    }

    public void Dispose() => creation.Dispose();
}
