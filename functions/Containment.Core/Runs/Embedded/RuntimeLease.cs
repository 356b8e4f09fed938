using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Runs.Embedded;

/// <summary>
/// One host at a time takes and drives the runs of a set of tables. Two would both act on a run: each keeps in memory
/// the runs it knows, and neither would see the other's. The host holding the tables keeps a row that names it
/// (<see cref="LeaseHolder"/>) and says until when, renewed every third of <see cref="EmbeddedRuntimeOptions.LeaseTerm"/>.
/// Another host takes the row only once it has lapsed, or at once when its holder is known to be gone (a process of
/// this machine that no longer runs: a host killed and started again). Until it holds the row a host takes no alert
/// and drives no run (<see cref="IRuntimeGate"/>); a host that finds the row taken from it stops, as what it knows of
/// the runs may be stale.
/// </summary>
public sealed partial class RuntimeLease : IRuntimeGate, IDisposable
{
    private const string Partition = "runtime";
    private const string Row = "lease";
    private const string UntilColumn = "Until";

    // The runtimes of this process that hold or seek a lease: a holder in this process that is not among them is gone.
    private static readonly ConcurrentDictionary<string, byte> LiveHere = new(StringComparer.Ordinal);

    private readonly RunStore store;
    private readonly TableClient table;
    private readonly TimeProvider time;
    private readonly TimeSpan term;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<RuntimeLease> logger;
    private readonly LeaseHolder self = LeaseHolder.ThisProcess();
    private readonly object gate = new();
    private TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? closed = "it has not taken the runtime's tables yet";
    private ETag held;
    private DateTimeOffset heldUntil;
    private volatile bool lost;

    public RuntimeLease(RunStore store, IOptions<EmbeddedRuntimeOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<RuntimeLease> logger)
    {
        // The row lives in the runs table, which the store creates once for both.
        this.store = store;
        table = store.Table;
        this.time = time;
        term = options.Value.LeaseTerm;
        this.lifetime = lifetime;
        this.logger = logger;
        LiveHere[self.Instance] = 0;
    }

    public LeaseHolder Self => self;

    public string? Closed => closed;

    public Task WhenOpenAsync(CancellationToken cancellationToken)
    {
        // Every step of every run asks: while the tables are held, no lock.
        if (closed is null)
        {
            return Task.CompletedTask;
        }

        lock (gate)
        {
            return closed is null ? Task.CompletedTask : opened.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes the tables, or keeps them; who holds them instead, and until when, when another host does.</summary>
    public async Task<string?> AcquireAsync(CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        while (true)
        {
            var now = time.GetUtcNow();
            var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            try
            {
                if (!found.HasValue)
                {
                    Open((await table.AddEntityAsync(Entity(now + term), cancellationToken)).Headers.ETag!.Value, now + term);
                    return null;
                }

                var row = found.Value!;
                var holder = HolderOf(row);
                var until = row.GetDateTimeOffset(UntilColumn) ?? DateTimeOffset.MinValue;
                if (holder.Instance != self.Instance && until > now && !holder.IsGone(self, LiveHere.Keys.ToHashSet(StringComparer.Ordinal)))
                {
                    var heldBy = $"another host holds the runtime's tables ({holder}) until {until:u}";
                    Close(heldBy);
                    return heldBy;
                }

                Open((await table.UpdateEntityAsync(Entity(now + term), row.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag!.Value, now + term);
                if (holder.Instance != self.Instance)
                {
                    LogTakenOver(logger, holder.ToString(), until);
                }

                return null;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 or 404)
            {
                // Another host wrote the row meanwhile: judge it again.
            }
        }
    }

    /// <summary>
    /// Renews the lease every third of its term while the host runs. A renewal storage does not answer is tried at the
    /// next tick; once the lease has lapsed the host takes and drives nothing until it holds the tables again. A lease
    /// another host has taken stops this host.
    /// </summary>
    public async Task KeepAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!lost)
            {
                await Task.Delay(term / 3, time, cancellationToken);
                await RenewAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stops: GiveUpAsync lets the next one take the tables at once.
        }
    }

    /// <summary>Lets the tables go, so that the next host takes them at once; whatever storage answers, this host is done with them.</summary>
    public async Task GiveUpAsync(CancellationToken cancellationToken)
    {
        var wasHeld = held != default;
        Close("it is stopping");
        LiveHere.TryRemove(self.Instance, out _);
        if (!wasHeld)
        {
            return;
        }

        try
        {
            await table.DeleteEntityAsync(Partition, Row, held, cancellationToken);
        }
        catch (Exception exception) when (exception is RequestFailedException or OperationCanceledException || StorageFailure.In(exception) is not null)
        {
            // Taken by another host, gone, or storage not answering: the row lapses by itself.
        }
    }

    public void Dispose() => LiveHere.TryRemove(self.Instance, out _);

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            if (closed is null)
            {
                var renewed = await table.UpdateEntityAsync(Entity(now + term), held, TableUpdateMode.Replace, cancellationToken);
                Open(renewed.Headers.ETag!.Value, now + term);
            }
            else if (await AcquireAsync(cancellationToken) is { } heldBy)
            {
                Lost(heldBy);
            }
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            Lost("another host took the runtime's tables");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && StorageFailure.In(exception) is not null)
        {
            if (now >= heldUntil && closed is null)
            {
                Close("its lease of the runtime's tables lapsed while storage did not answer");
            }

            LogRenewalFailed(logger, exception, heldUntil);
        }
    }

    private void Lost(string why)
    {
        lost = true;
        Close(why);
        LogLost(logger, why);
        lifetime.StopApplication();
    }

    private void Open(ETag etag, DateTimeOffset until)
    {
        lock (gate)
        {
            (held, heldUntil) = (etag, until);
            closed = null;
            opened.TrySetResult();
        }
    }

    private void Close(string why)
    {
        lock (gate)
        {
            if (closed is null)
            {
                opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            closed = why;
        }
    }

    private TableEntity Entity(DateTimeOffset until) => new(Partition, Row)
    {
        [nameof(LeaseHolder.Machine)] = self.Machine,
        [nameof(LeaseHolder.ProcessId)] = self.ProcessId,
        [nameof(LeaseHolder.ProcessStarted)] = self.ProcessStarted,
        [nameof(LeaseHolder.Instance)] = self.Instance,
        [UntilColumn] = until,
    };

    private static LeaseHolder HolderOf(TableEntity row) => new(
        row.GetString(nameof(LeaseHolder.Machine)) ?? "",
        row.GetInt32(nameof(LeaseHolder.ProcessId)) ?? 0,
        row.GetDateTimeOffset(nameof(LeaseHolder.ProcessStarted)) ?? DateTimeOffset.MinValue,
        row.GetString(nameof(LeaseHolder.Instance)) ?? "");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took the runtime's tables over from {Holder}, whose lease ran until {Until}")]
    private static partial void LogTakenOver(ILogger logger, string holder, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Lost the runtime's tables: {Reason}; the host stops")]
    private static partial void LogLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease of the runtime's tables failed; it holds until {Until}")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, DateTimeOffset until);
}
