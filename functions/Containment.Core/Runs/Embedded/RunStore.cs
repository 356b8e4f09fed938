using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Runs.Machine;
using Microsoft.Extensions.Options;

namespace Containment.Runs.Embedded;

/// <summary>
/// The runtime's table: per run (partition) one state row, with the playbook snapshot it started with,
/// and one row per buffered external event. State writes are conditional on the row's ETag.
/// </summary>
public sealed class RunStore : IDisposable
{
    internal const string StateRow = "state";
    private const string EventPrefix = "event~";

    /// <summary>The column an insert marks its row with; see <see cref="AddAsync"/>.</summary>
    private const string InsertKey = "InsertKey";

    // Every write of a run stores its playbook again; a playbook is immutable and shared by its runs, so its JSON is made once.
    private static readonly ConditionalWeakTable<Playbook, string> PlaybookJson = [];

    private readonly TableClient table;
    private readonly TableCreation creation;
    private readonly TimeProvider time;

    public RunStore(TableServiceClient service, IOptions<EmbeddedRuntimeOptions> options, TimeProvider time)
    {
        table = service.GetTableClient(options.Value.TablePrefix + "Runs");
        creation = new TableCreation(table);
        this.time = time;
    }

    public async Task<StoredRun?> ReadAsync(string instanceId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKey.Encode(instanceId), StateRow, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Stores a new run; its row's ETag, or null when a row for the instance already exists. The row may be this very
    /// insert's, its answer lost and met by the SDK's next try (409): each new run's row carries a key of its own until
    /// its first state write, so a row still carrying it is this start's, and its ETag is returned.
    /// </summary>
    public async Task<ETag?> AddAsync(RunState state, Playbook playbook, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var (entity, key) = NewRun(state, playbook);
        try
        {
            var response = await table.AddEntityAsync(entity, cancellationToken);
            return response.Headers.ETag;
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return await OwnNewRunAsync(entity, key, cancellationToken);
        }
    }

    /// <summary>
    /// Stores a new run in place of an ended one with this id, unless the row changed since it was read: its ETag, or
    /// null when another writer won. A write whose answer was lost (412 on the SDK's next try) is known by its key,
    /// as for <see cref="AddAsync"/>.
    /// </summary>
    public async Task<ETag?> ReplaceEndedAsync(RunState state, Playbook playbook, ETag ended, CancellationToken cancellationToken)
    {
        var (entity, key) = NewRun(state, playbook);
        try
        {
            var response = await table.UpdateEntityAsync(entity, ended, TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            return await OwnNewRunAsync(entity, key, cancellationToken);
        }
    }

    /// <summary>Replaces the state if nobody changed it since it was read; the new ETag, or null when another writer won.</summary>
    public async Task<ETag?> ReplaceAsync(RunState state, Playbook playbook, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.UpdateEntityAsync(ToEntity(state, playbook), etag, TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            return null;
        }
    }

    /// <param name="runStartedAt">When the run the event is for started: a later run with the same id does not take it.</param>
    public async Task AddEventAsync(string instanceId, DateTimeOffset runStartedAt, string name, JsonElement payload, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var rowKey = EventPrefix + time.GetUtcNow().UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "~" + Guid.NewGuid().ToString("N")[..12];
        var entity = new TableEntity(TableKey.Encode(instanceId), rowKey) { ["Name"] = name, ["RunStartedAt"] = runStartedAt.UtcTicks };
        TableJson.Write(entity, "Payload", payload.GetRawText());
        await UniqueRowInsert.AddAsync(table, entity, cancellationToken);
    }

    /// <summary>The buffered events of a run, oldest first.</summary>
    public async Task<IReadOnlyList<BufferedEvent>> ListEventsAsync(string instanceId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKey.Encode(instanceId)} and RowKey ge {EventPrefix} and RowKey lt {"event\u007f"}");
        var events = new List<BufferedEvent>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            events.Add(new BufferedEvent(
                entity.RowKey,
                entity.GetString("Name"),
                JsonDocument.Parse(TableJson.Read(entity, "Payload")).RootElement.Clone(),
                entity.GetInt64("RunStartedAt") is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null));
        }

        return events;
    }

    public async Task DeleteEventAsync(string instanceId, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(TableKey.Encode(instanceId), rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Already consumed by another process.
        }
    }

    /// <summary>Every run that has not finished, for recovery at start-up.</summary>
    public async Task<IReadOnlyList<string>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"RowKey eq {StateRow} and Phase ne {RunPhase.Finished.ToString()}");
        var ids = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["InstanceId"], cancellationToken: cancellationToken))
        {
            ids.Add(entity.GetString("InstanceId"));
        }

        return ids;
    }

    public void Dispose() => creation.Dispose();

    /// <summary>A new run's row, marked with a key of its own.</summary>
    private static (TableEntity Entity, string Key) NewRun(RunState state, Playbook playbook)
    {
        var entity = ToEntity(state, playbook);
        var key = Guid.NewGuid().ToString("N");
        entity[InsertKey] = key;
        return (entity, key);
    }

    /// <summary>The row's ETag when it still carries <paramref name="key"/>: the new run's own write landed, and nothing has written the row since.</summary>
    private async Task<ETag?> OwnNewRunAsync(TableEntity entity, string key, CancellationToken cancellationToken)
    {
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, select: [InsertKey], cancellationToken: cancellationToken);
        return stored.HasValue && stored.Value!.GetString(InsertKey) == key ? stored.Value.ETag : null;
    }

    private static TableEntity ToEntity(RunState state, Playbook playbook)
    {
        var entity = new TableEntity(TableKey.Encode(state.InstanceId), StateRow)
        {
            ["InstanceId"] = state.InstanceId,
            ["Phase"] = state.Phase.ToString(),
            ["PlaybookName"] = state.Playbook,
        };
        TableJson.Write(entity, "State", RunStateJson.Write(state));
        TableJson.Write(entity, "Playbook", PlaybookJson.GetValue(playbook, static shared => JsonSerializer.Serialize(shared, ContainmentJson.Options)));
        return entity;
    }

    private static StoredRun FromEntity(TableEntity entity)
    {
        var playbook = JsonSerializer.Deserialize<Playbook>(TableJson.Read(entity, "Playbook"), ContainmentJson.Options)!;
        return new(RunStateJson.Read(TableJson.Read(entity, "State"), playbook), playbook, entity.ETag);
    }

    internal Task EnsureCreatedAsync(CancellationToken cancellationToken) => creation.EnsureAsync(cancellationToken);

    /// <summary>The runtime's table, for the row its lease keeps beside the runs (<see cref="RuntimeLease"/>).</summary>
    internal TableClient Table => table;
}
