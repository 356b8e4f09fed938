using Azure.Data.Tables;

namespace Containment.Tests.Support;

/// <summary>Rows per table of one host (ledger and runtime), so that a test can tell what a request stored.</summary>
internal static class HostRows
{
    public static async Task<Dictionary<string, int>> CountAsync(LocalHostFixture host)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var table in host.Tables.QueryAsync(item => true))
        {
            if (!table.Name.StartsWith(host.TablePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var count = 0;
            await foreach (var _ in host.Tables.GetTableClient(table.Name).QueryAsync<TableEntity>(select: ["PartitionKey"]))
            {
                count++;
            }

            rows[table.Name] = count;
        }

        return rows;
    }

    /// <summary>The tables that hold rows, in order, for comparing two counts.</summary>
    public static IEnumerable<KeyValuePair<string, int>> Stored(IReadOnlyDictionary<string, int> rows) =>
        rows.Where(pair => pair.Value > 0).OrderBy(pair => pair.Key, StringComparer.Ordinal);
}
