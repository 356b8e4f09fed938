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
/// Another host takes the row only once it has lapsed by more than <see cref="Margin"/>, or at once when its holder is
/// known to be gone (a process of this machine that no longer runs: a host killed and started again). Until it holds
/// the row a host takes no alert and drives no run (<see cref="IRuntimeGate"/>); the holder's gate closes
/// <see cref="Margin"/> before the end of its term, whatever its renewal is doing, so the two never overlap. A host
/// that finds the row taken from it stops, as what it knows of the runs may be stale; one that takes the row back after
/// another host may have held it keeps its gate closed until it has picked the runs up again (<see cref="PickUpDue"/>).
/// </summary>
public sealed partial class RuntimeLease : IRuntimeGate, IDisposable
{
    private const string Partition = "runtime";
    private const string Row = "lease";
    private const string UntilColumn = "Until";
    private const string Lapsed = "its lease of the runtime's tables lapsed while storage did not answer";
    private const string PickingUp = "it took the runtime's tables after another host held them, and picks their runs up again first";

    // The runtimes of this process that hold or seek a lease: a holder in this process that is not among them is gone.
    private static readonly ConcurrentDictionary<string, byte> LiveHere = new(StringComparer.Ordinal);

    private readonly RunStore store;
    private readonly TableClient table;
    private readonly TimeProvider time;
    private readonly TimeSpan term;
    private readonly TimeSpan interval;
    private readonly TimeSpan retry;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<RuntimeLease> logger;
    private readonly LeaseHolder self = LeaseHolder.ThisProcess();
    private readonly object gate = new();
    private TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? closed = "it has not taken the runtime's tables yet";
    private ETag held;

    // UTC ticks from which the gate is closed: the end of the held term less the margin.
    private long openUntilTicks;
    /// <summary>The end of the held term.</summary>
    private DateTimeOffset HeldUntil => new DateTimeOffset(Volatile.Read(ref openUntilTicks), TimeSpan.Zero) + Margin;

    private bool refused;

    // Takes of the tables after another host may have driven their runs, and how many of them were picked up after.
    private int staleTakes;
    private int pickedUp;
    private Task pickingUp = Task.CompletedTask;
    private volatile bool lost;

    // Renewals that failed since the last that went through.
    private int failedInARow;

    public RuntimeLease(RunStore store, IOptions<EmbeddedRuntimeOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<RuntimeLease> logger)
    {
        // The row lives in the runs table, which the store creates once for both.
        this.store = store;
        table = store.Table;
        this.time = time;
        term = options.Value.LeaseTerm;
        interval = term / 3;
        retry = interval / 10;
        Margin = term / 6;
        this.lifetime = lifetime;
        this.logger = logger;
        LiveHere[self.Instance] = 0;
    }

    public LeaseHolder Self => self;

    /// <summary>
    /// How long before the end of its term the holder's gate closes, and how long past it another host waits before it
    /// takes the tables (a sixth of the term: 5 s of the default 30 s). Between them the two hosts' clocks may disagree
    /// by up to twice this, less the moment a step that passed the gate just before it closed takes to start.
    /// </summary>
    internal TimeSpan Margin { get; }

    /// <summary>The take whose runs this host must pick up again before its gate opens; null when none is due.</summary>
    public int? PickUpDue
    {
        get
        {
            lock (gate)
            {
                return pickedUp == staleTakes ? null : staleTakes;
            }
        }
    }

    public string? Closed => closed ?? LapseIfDue();

    /// <summary>When the gate closes unless a renewal goes through first: the held term, less <see cref="Margin"/>.</summary>
    internal DateTimeOffset OpenUntil => new(Volatile.Read(ref openUntilTicks), TimeSpan.Zero);

    public Task WhenOpenAsync(CancellationToken cancellationToken)
    {
        // Every step of every run asks: while the tables are held, no lock.
        if (Closed is null)
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
                    // No row: nobody held the tables since this host began, or a host that did let them go.
                    Taken((await table.AddEntityAsync(Entity(now + term), cancellationToken)).Headers.ETag!.Value, now + term, stale: held != default || refused);
                    return null;
                }

                var row = found.Value!;
                var holder = HolderOf(row);
                var until = row.GetDateTimeOffset(UntilColumn) ?? DateTimeOffset.MinValue;
                if (holder.Instance != self.Instance && until + Margin > now && !holder.IsGone(self, LiveHere.Keys.ToHashSet(StringComparer.Ordinal)))
                {
                    var heldBy = $"another host holds the runtime's tables ({holder}) until {until:u}";
                    refused = true;
                    Close(heldBy);
                    return heldBy;
                }

                // Only the row this host last wrote, unchanged since, says no other host held the tables meanwhile.
                var stale = holder.Instance != self.Instance || row.ETag != held;
                Taken((await table.UpdateEntityAsync(Entity(now + term), row.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag!.Value, now + term, stale);
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
    /// Renews the lease every third of its term while the host runs, from the start of one renewal to the next's, each
    /// given a third of the term to go through. A renewal that fails is tried again a tenth of that later (1 s of the
    /// default term), until one goes through: waiting the whole third would leave one more try, a sixth of the term before
    /// the gate closes, and a host whose hold lapsed would take alerts again only up to a third of the term after storage
    /// came back. The gate closes on time whatever the renewal does, and opens again once one goes through. A lease
    /// another host has taken stops this host. A lease taken back after another host held it has its runs picked up
    /// again by <paramref name="pickUpAgain"/>, which is called after each renewal that goes through until it has
    /// (<see cref="PickedUp"/>).
    /// </summary>
    public async Task KeepAsync(Func<CancellationToken, Task> pickUpAgain, CancellationToken cancellationToken)
    {
        try
        {
            var due = time.GetUtcNow() + interval;
            while (!lost)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }

                // Late (a renewal that hung until its deadline, a host paused): this one goes out now, the next is timed from it.
                due = time.GetUtcNow();
                var renewed = await RenewAsync(cancellationToken);
                due += renewed ? interval : retry;
                if (renewed && !lost && PickUpDue is not null && pickingUp.IsCompleted)
                {
                    // Not awaited: renewals go on while the runs are read.
                    pickingUp = pickUpAgain(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stops: GiveUpAsync lets the next one take the tables at once.
        }

        await pickingUp.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The runs of <paramref name="take"/> (from <see cref="PickUpDue"/>) are picked up again: the gate opens, unless the tables changed hands again since.</summary>
    public void PickedUp(int take)
    {
        lock (gate)
        {
            pickedUp = Math.Max(pickedUp, take);
            if (pickedUp == staleTakes && closed == PickingUp)
            {
                closed = null;
                opened.TrySetResult();
            }
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

    /// <returns>Whether the renewal went through (or found the tables taken, and the host stops).</returns>
    private async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // A renewal that hangs (packets dropped, storage stalled) fails in time for the next to go out before the term ends.
        using var deadline = new CancellationTokenSource(interval, time);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            if (now < HeldUntil)
            {
                try
                {
                    var renewed = await table.UpdateEntityAsync(Entity(now + term), held, TableUpdateMode.Replace, call.Token);
                    Taken(renewed.Headers.ETag!.Value, now + term, stale: false);
                }
                catch (RequestFailedException exception) when (exception.Status is 412 or 404)
                {
                    await JudgeChangedRowAsync(call.Token);
                }
            }
            else if (await AcquireAsync(call.Token) is { } heldBy)
            {
                Lost(heldBy);
            }

            if (failedInARow > 0)
            {
                LogRenewedAgain(logger, failedInARow);
                failedInARow = 0;
            }

            return true;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever failed (storage, the deadline, the SDK's own timeout), the next try goes out soon: the gate closes
            // on time by itself meanwhile. An outage is logged once as a warning, not once a second.
            LogRenewalFailed(logger, failedInARow++ == 0 ? LogLevel.Warning : LogLevel.Debug, exception, HeldUntil, HeldUntil - Margin);
            return false;
        }
    }

    /// <summary>
    /// The row changed since this host last wrote it. A row naming this host was written by its own renewal: the SDK
    /// tried it again after its answer was lost, and the try met the write (412). No other host held the tables
    /// meanwhile, since every renewal is made on the row as this host last left it. Any other row is judged as a take.
    /// </summary>
    private async Task JudgeChangedRowAsync(CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (found.HasValue && HolderOf(found.Value!).Instance == self.Instance && found.Value!.GetDateTimeOffset(UntilColumn) is { } until)
        {
            Taken(found.Value.ETag, until, stale: false);
            return;
        }

        if (await AcquireAsync(cancellationToken) is { } heldBy)
        {
            Lost(heldBy);
        }
    }

    private void Lost(string why)
    {
        lost = true;
        Close(why);
        LogLost(logger, why);
        lifetime.StopApplication();
    }

    /// <summary>The row is this host's until <paramref name="until"/>; <paramref name="stale"/> when another host may have held it since this one began.</summary>
    private void Taken(ETag etag, DateTimeOffset until, bool stale)
    {
        lock (gate)
        {
            held = etag;
            Volatile.Write(ref openUntilTicks, (until - Margin).UtcTicks);
            staleTakes += stale ? 1 : 0;
            if (pickedUp != staleTakes)
            {
                CloseLocked(PickingUp);
                return;
            }

            closed = null;
            opened.TrySetResult();
        }
    }

    /// <summary>Closes the gate once the held term, less the margin, has passed: read on every check, as a renewal may hang.</summary>
    private string? LapseIfDue()
    {
        if (time.GetUtcNow().UtcTicks < Volatile.Read(ref openUntilTicks))
        {
            return null;
        }

        lock (gate)
        {
            // Looked at again under the lock: a renewal may have gone through meanwhile.
            if (closed is null && time.GetUtcNow().UtcTicks >= openUntilTicks)
            {
                CloseLocked(Lapsed);
                LogLapsed(logger, HeldUntil);
            }

            return closed;
        }
    }

    private void Close(string why)
    {
        lock (gate)
        {
            CloseLocked(why);
        }
    }

    private void CloseLocked(string why)
    {
        if (closed is null)
        {
            opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        closed = why;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Renewed the lease of the runtime's tables after {Failed} renewals failed")]
    private static partial void LogRenewedAgain(ILogger logger, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of the runtime's tables, held until {Until}, is near its end with no renewal through: the host takes no alert and drives no run until one goes through")]
    private static partial void LogLapsed(ILogger logger, DateTimeOffset until);

    [LoggerMessage(Message = "Renewing the lease of the runtime's tables failed; it holds until {Until}, and the host drives runs until {GateCloses} unless a renewal goes through")]
    private static partial void LogRenewalFailed(ILogger logger, LogLevel level, Exception exception, DateTimeOffset until, DateTimeOffset gateCloses);
}
