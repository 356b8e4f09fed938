using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Containment.Ledger;

namespace Containment.Approvals;

/// <summary>Approval requests by token hash. A decision is written once: the write is conditional on the row's ETag.</summary>
public sealed class ApprovalStore(LedgerTables tables)
{
    private const string RowKey = "approval";

    public async Task AddAsync(ApprovalRecord record, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await tables.Approvals.UpsertEntityAsync(ToEntity(record), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<(ApprovalRecord Record, ETag ETag)?> GetAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var response = await tables.Approvals.GetEntityIfExistsAsync<TableEntity>(tokenHash, RowKey, cancellationToken: cancellationToken);
        return response.HasValue
            ? (JsonSerializer.Deserialize<ApprovalRecord>(TableJson.Read(response.Value!, "Record"), ContainmentJson.Options)!, response.Value!.ETag)
            : null;
    }

    /// <summary>Records the decision unless someone decided first; false when they did.</summary>
    public async Task<bool> DecideAsync(ApprovalRecord record, ETag etag, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Approvals.UpdateEntityAsync(ToEntity(record with { Decision = decision }), etag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 412)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(ApprovalRecord record)
    {
        var entity = new TableEntity(record.TokenHash, RowKey) { ["InstanceId"] = record.InstanceId, ["Decided"] = record.Decision is not null };
        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        return entity;
    }
}
