using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Containment.Ledger;

namespace Containment.Approvals;

/// <summary>
/// Approval requests, in their pod's partition of the isolations table under the hash of their token (never the
/// token itself), each written with its audit entry in one transaction. A decision is written once: the write
/// is conditional on the row's ETag.
/// </summary>
public sealed class ApprovalStore(LedgerTables tables)
{
    private const string RowPrefix = "approval~";

    /// <summary>
    /// Stores the request with the audit entry that it was sent, once. A wait's link is always the same, so a request
    /// made again meets the one stored before, which it leaves as it is (an approver may have decided on it since).
    /// </summary>
    public async Task AddAsync(ApprovalRecord record, AuditEntry requested, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        // Both rows' keys are made for them (the link's hash, the entry's own): a 409 is this request, stored before.
        await UniqueRowInsert.SubmitAsync(
            tables.Isolations,
            [new TableTransactionAction(TableTransactionActionType.Add, ToEntity(record)), AuditRows.Add(requested, record.InstanceId)],
            cancellationToken);
    }

    /// <param name="instanceId">The run the token names: the request lives in its pod's partition.</param>
    public async Task<(ApprovalRecord Record, ETag ETag)?> GetAsync(string instanceId, string tokenHash, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var response = await tables.Isolations.GetEntityIfExistsAsync<TableEntity>(TableKey.Encode(instanceId), RowPrefix + tokenHash, cancellationToken: cancellationToken);
        return response.HasValue
            ? (JsonSerializer.Deserialize<ApprovalRecord>(TableJson.Read(response.Value!, "Record"), ContainmentJson.Options)!, response.Value!.ETag)
            : null;
    }

    /// <summary>Records the decision, with its audit entry, unless someone decided first; false when they did.</summary>
    public async Task<bool> DecideAsync(ApprovalRecord record, ETag etag, ApprovalDecision decision, AuditEntry decided, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Isolations.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(record with { Decision = decision }), etag), AuditRows.Add(decided, record.InstanceId)],
                cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 412)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(ApprovalRecord record)
    {
        var entity = new TableEntity(TableKey.Encode(record.InstanceId), RowPrefix + record.TokenHash) { ["Decided"] = record.Decision is not null };
        TableJson.Write(entity, "Record", JsonSerializer.Serialize(record, ContainmentJson.Options));
        return entity;
    }
}
