using System.Collections.Concurrent;
using Containment.Alerts;
using Containment.Playbooks;
using Containment.Runs.Machine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Runs.Embedded;

/// <summary>
/// Durable runs on one machine: <see cref="PlaybookMachine"/> driven over Table Storage. Every change of a
/// run is written (ETag-checked) before the run acts on it, so a process killed at any point leaves a
/// state from which a new process goes on: unfinished activity calls are made again with the same call id,
/// buffered events wait in storage, and timers are rebuilt from the stored deadlines.
/// </summary>
public sealed partial class EmbeddedRuntime : IPlaybookRuntime, IAsyncDisposable
{
    private const int RememberedEndings = 100_000;

    private readonly RunStore store;
    private readonly ActivityInvoker invoker;
    private readonly RunTimers timers;
    private readonly TimeProvider time;
    private readonly ILogger<EmbeddedRuntime> logger;
    private readonly int maxConflictRetries;
    private readonly RunSlots slots;
    private readonly RunLocks locks = new();
    private readonly BufferedEventMarks buffered = new();
    private readonly RunCache cache;
    private readonly DriveRetries retries;
    private readonly DrivesInFlight drives = new();
    private readonly IRuntimeGate gate;

    // Unfinished runs this process started or saw, with their playbook: a repeated alert for a pod joins
    // its run without a storage round trip. One process owns the runs, so the map only lags a finish by
    // the moment a finishing run takes, the same window a storage read would have.
    private readonly ConcurrentDictionary<string, RunProgress> unfinishedRuns = new(StringComparer.Ordinal);

    // How runs finished in this process ended (a few hundred bytes each), for redeliveries that come later.
    private readonly EndedRuns endedRuns = new(RememberedEndings);

    private readonly CancellationTokenSource stopping = new();
    private int disposed;

    public EmbeddedRuntime(RunStore store, ActivityInvoker invoker, TimeProvider time, IOptions<EmbeddedRuntimeOptions> options, IRuntimeGate gate, ILogger<EmbeddedRuntime> logger)
    {
        this.store = store;
        this.gate = gate;
        this.invoker = invoker;
        this.time = time;
        this.logger = logger;
        timers = new RunTimers(time);
        maxConflictRetries = options.Value.MaxConcurrencyRetries;
        cache = new RunCache(options.Value.CachedRuns);
        retries = new DriveRetries(options.Value.DriveRetryDelay, options.Value.MaxDriveRetryDelay);
        slots = new RunSlots(options.Value.MaxConcurrentRuns);
    }

    /// <summary>How many runs wait on an in-memory timer.</summary>
    public int WaitingTimers => timers.Count;

    /// <summary>How many runs wait to be driven again after their drive failed.</summary>
    public int RetryingRuns => retries.Count;

    /// <summary>How many drives wait for a slot (<see cref="EmbeddedRuntimeOptions.MaxConcurrentRuns"/>).</summary>
    public int DrivesWaitingForASlot => slots.Waiting;

    public async Task<RunStartResult> StartAsync(string instanceId, Playbook playbook, Alert alert, CancellationToken cancellationToken) =>
        await StartAsync(instanceId, playbook, alert, insertOnly: false, cancellationToken)
        ?? throw new InvalidOperationException($"run {instanceId} was neither started nor joined");

    public async ValueTask<RunStartResult?> StartNewAsync(string instanceId, Playbook playbook, Alert alert, CancellationToken cancellationToken) =>
        endedRuns.Get(instanceId) is not null
            ? null
            : await StartAsync(instanceId, playbook, alert, insertOnly: true, cancellationToken);

    /// <param name="insertOnly">Start only if no run with this id is stored; null when one is, and nothing changed.</param>
    private async Task<RunStartResult?> StartAsync(string instanceId, Playbook playbook, Alert alert, bool insertOnly, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        if (unfinishedRuns.TryGetValue(instanceId, out var running))
        {
            return insertOnly ? null : new RunStartResult(RunStartOutcome.Joined, instanceId, running.Playbook);
        }

        // The raw payload stays with the security event; the run needs only the normalised alert.
        var (state, first) = PlaybookMachine.Next(playbook, null, new RunStarted(time.GetUtcNow(), instanceId, alert with { Raw = null }));

        // Held from before the insert until its drive ends, so nothing else in this process changes the run in
        // between and the drive can trust the state written here. Busy (an earlier run with this id is still
        // being driven): the drive reads the row instead.
        var held = locks.TryEnter(instanceId);
        try
        {
            // Looked at again under the lock: a start of this process that won the insert may have stored the run, and
            // driven it, since the look above; this one then joins it rather than read ahead for an insert that fails.
            if (held is not null && unfinishedRuns.TryGetValue(instanceId, out running))
            {
                return insertOnly ? null : new RunStartResult(RunStartOutcome.Joined, instanceId, running.Playbook);
            }

            for (var attempt = 0; attempt < maxConflictRetries; attempt++)
            {
                // Insert first: a new pod (the common case) costs one write and no read.
                var inserting = store.AddAsync(state, playbook, cancellationToken);

                // Its first step will most likely run in a moment: what it begins with (reads, and writes that change
                // nothing until it acts) goes out once the insert has, so it acts as soon as the run is stored; the
                // insert finding a run stored already wastes them. An insert-only start makes one attempt, and one
                // that another start of this process holds back (a duplicate delivery) leaves them to that one.
                if (insertOnly && held is not null && first is RunActivities calls)
                {
                    invoker.ReadAhead(calls.Calls, stopping.Token);
                }

                var etag = await inserting;
                if (etag is null)
                {
                    if (insertOnly)
                    {
                        return null;
                    }

                    var existing = await store.ReadAsync(instanceId, cancellationToken);
                    if (existing is { State.Phase: not RunPhase.Finished })
                    {
                        // A run this process had not seen: one an earlier process left, or another is starting. It is
                        // driven from its row rather than left for a restart; a drive already under way holds its lock,
                        // and this one then finds nothing more to do. (An insert of this process's own whose answer was
                        // lost is known by its key, and is a start.)
                        if (unfinishedRuns.TryAdd(instanceId, RunProgress.Of(existing.State)))
                        {
                            Kick(instanceId, input: null, readRow: true);
                        }

                        return new RunStartResult(RunStartOutcome.Joined, instanceId, existing.State.Playbook);
                    }

                    if (existing is not null && existing.State.StartedAt >= state.StartedAt)
                    {
                        // Runs of a pod are told apart by their starts (the isolation's fences): a run starts after the
                        // run it replaces, whatever this host's clock says of the host that started that one.
                        (state, first) = PlaybookMachine.Next(playbook, null, new RunStarted(existing.State.StartedAt.AddTicks(1), instanceId, alert with { Raw = null }));
                    }

                    etag = existing is null ? null : await store.ReplaceEndedAsync(state, playbook, existing.ETag, cancellationToken);
                }

                if (etag is { } stored)
                {
                    LogStarted(logger, instanceId, playbook.Name);
                    unfinishedRuns[instanceId] = RunProgress.Of(state);
                    endedRuns.Remove(instanceId);
                    if (held is null)
                    {
                        Kick(instanceId, input: null, readRow: true);
                    }
                    else
                    {
                        var started = new StoredRun(state, playbook, stored);
                        cache.Put(started);
                        Kick(instanceId, input: null, new Handoff(held, started));
                        held = null;
                    }

                    return new RunStartResult(RunStartOutcome.Started, instanceId, playbook.Name);
                }
            }
        }
        finally
        {
            held?.Dispose();
        }

        throw new InvalidOperationException($"run {instanceId} kept changing while starting it");
    }

    public async Task<RunStatusDocument?> GetStatusAsync(string instanceId, CancellationToken cancellationToken) =>
        (cache.Get(instanceId) ?? await store.ReadAsync(instanceId, cancellationToken)) is { } stored ? RunStatusDocument.From(stored.State) : null;

    /// <summary>From memory for runs this process started, joined or finished; from the table otherwise (after a restart, or past the bounds).</summary>
    public async ValueTask<RunProgress?> GetProgressAsync(string instanceId, CancellationToken cancellationToken)
    {
        if (KnownProgress(instanceId) is { } known)
        {
            return known;
        }

        if (await store.ReadAsync(instanceId, cancellationToken) is not { } stored)
        {
            return null;
        }

        // An ending read once (after a restart, say) answers the next redelivery from memory too.
        var progress = RunProgress.Of(stored.State);
        if (progress.EndedAt is not null)
        {
            endedRuns.Add(instanceId, progress);
        }

        return progress;
    }

    /// <summary>Unfinished runs as of their last stored step, and the ended runs <see cref="EndedRuns"/> keeps.</summary>
    public RunProgress? KnownProgress(string instanceId) =>
        unfinishedRuns.TryGetValue(instanceId, out var unfinished) ? unfinished : endedRuns.Get(instanceId);

    public Task<bool> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken) =>
        EndAsync(instanceId, new TerminateRequested(time.GetUtcNow(), reason), cancellationToken);

    public Task<bool> TerminateIfRunningAsync(string instanceId, string playbook, string reason, CancellationToken cancellationToken) =>
        EndAsync(instanceId, new TerminateRequested(time.GetUtcNow(), reason, OnlyPlaybook: playbook), cancellationToken);

    private async Task<bool> EndAsync(string instanceId, TerminateRequested request, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        var existing = await store.ReadAsync(instanceId, cancellationToken);
        if (existing is null or { State.Phase: RunPhase.Finished } || (request.OnlyPlaybook is { } only && existing.State.Playbook != only))
        {
            return false;
        }

        // The request lives only in this call: a drive that failed has not ended the run, and the caller must know.
        // The machine checks the playbook again under the run's lock, against the state the drive writes over.
        if (await DriveAsync(instanceId, request, handoff: null, readRow: false, cancellationToken) is { } failure)
        {
            throw new InvalidOperationException($"run {instanceId} could not be ended: {failure.Message}", failure);
        }

        return true;
    }

    /// <summary>Refuses a start, an event or an ending while this process may not take runs (<see cref="IRuntimeGate"/>).</summary>
    private void ThrowIfClosed()
    {
        if (gate.Closed is { } reason)
        {
            throw new RuntimeClosedException(reason);
        }
    }

    /// <summary>Picks up every unfinished run: what a fresh process does first.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var unfinished = await store.ListUnfinishedAsync(cancellationToken);
        foreach (var instanceId in unfinished)
        {
            // An earlier process may have buffered events for it.
            buffered.Mark(instanceId);
            Kick(instanceId, input: null, readRow: true);
        }

        LogRecovered(logger, unfinished.Count);
        return unfinished.Count;
    }

    /// <summary>Waits until no run is being driven (tests and orderly shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        // A drive kicked between the count's fall to zero and this wake is waited for as well.
        while (drives.WhenNoneAsync() is { IsCompleted: false } pending)
        {
            await pending.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        timers.Dispose();
        try
        {
            // Activities get the stop signal; one that ignores it is not waited for long.
            await drives.WhenNoneAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            // Stopping: runs go on from their stored state in the next process.
        }

        stopping.Dispose();
        slots.Dispose();
    }

    /// <param name="handoff">The run's lock and its state as just written by the caller, who took the lock: saves the first read.</param>
    /// <param name="readRow">Read the row rather than trust the cached state: storage may have changed outside the run's lock.</param>
    private void Kick(string instanceId, RunInput? input, Handoff? handoff = null, bool readRow = false)
    {
        drives.Started();
        _ = Task.Run(async () =>
        {
            try
            {
                await DriveAsync(instanceId, input, handoff, readRow, stopping.Token);
            }
            finally
            {
                drives.Ended();
            }
        });
    }

    /// <summary>
    /// Applies <paramref name="input"/> (if any) and carries out what the run says next, until it waits or ends.
    /// A drive that fails is tried again after a delay, from the stored state; the failure is returned.
    /// </summary>
    private async Task<Exception?> DriveAsync(string instanceId, RunInput? input, Handoff? handoff, bool readRow, CancellationToken cancellationToken)
    {
        RunLock runLock;
        try
        {
            runLock = handoff?.Lock ?? await locks.EnterAsync(instanceId, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        try
        {
            await gate.WhenOpenAsync(cancellationToken);
            using (var turn = await slots.TakeAsync(cancellationToken))
            {
                await DriveLockedAsync(instanceId, input, handoff?.Run ?? (readRow ? null : cache.Get(instanceId)), turn, cancellationToken);
            }

            retries.Succeeded(instanceId);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the stored state is where the next process goes on from.
            return null;
        }
        catch (Exception exception)
        {
            // A row it took may not have been applied, and a write whose answer was lost may have landed.
            buffered.Mark(instanceId);
            cache.Remove(instanceId);
            var delay = retries.Failed(instanceId);
            LogDriveFailed(logger, exception, instanceId, delay);
            if (Volatile.Read(ref disposed) == 0)
            {
                // Replaces the run's wait timer, if any: the next drive reads the row and sets it again.
                timers.Set(instanceId, time.GetUtcNow() + delay, () => Kick(instanceId, input: null, readRow: true));
            }

            return exception;
        }
        finally
        {
            runLock.Dispose();
        }
    }

    private async Task DriveLockedAsync(string instanceId, RunInput? input, StoredRun? known, RunSlots.Turn turn, CancellationToken cancellationToken)
    {
        var stepsTaken = 0;
        for (var conflicts = 0; conflicts < maxConflictRetries; conflicts++)
        {
            // The handed-over or cached copy is current here (see RunCache) unless another process wrote
            // since, which the ETag-checked write finds out.
            var stored = (conflicts == 0 ? known : null) ?? await ReadAsync(instanceId, cancellationToken);
            if (stored is null)
            {
                buffered.Take(instanceId);
                return;
            }

            var (playbook, state, etag) = (stored.Playbook, stored.State, stored.ETag);
            var pendingInputs = new Queue<RunInput>(input is null ? [] : [input]);
            string? consumedEvent = null;
            while (true)
            {
                var before = state;
                var command = PlaybookMachine.Repeat(state);
                while (pendingInputs.TryDequeue(out var next))
                {
                    (state, command) = PlaybookMachine.Next(playbook, state, next);
                }

                if (!ReferenceEquals(before, state))
                {
                    var written = await store.ReplaceAsync(state, playbook, etag, cancellationToken);
                    if (written is null)
                    {
                        // Another process changed the run: read its version and apply the same input to it. The
                        // event taken from its row was not applied: the next wait must list it again.
                        LogConflict(logger, instanceId);
                        if (consumedEvent is not null)
                        {
                            buffered.Mark(instanceId);
                        }

                        break;
                    }

                    etag = written.Value;
                    Written(new StoredRun(state, playbook, etag));
                    timers.Cancel(instanceId);
                    if (consumedEvent is not null)
                    {
                        await store.DeleteEventAsync(instanceId, consumedEvent, cancellationToken);
                        consumedEvent = null;
                    }

                    input = null;
                }

                switch (command)
                {
                    case RunActivities activities:
                        // Each step after the drive's first lets the drives waiting for a slot go first (RunSlots); the
                        // step before it is stored.
                        if (stepsTaken++ > 0)
                        {
                            await turn.YieldAsync(cancellationToken);
                        }

                        // A host that no longer holds the runtime's tables starts no step.
                        await gate.WhenOpenAsync(cancellationToken);

                        var results = await Task.WhenAll(activities.Calls.Select(call => invoker.InvokeAsync(call, cancellationToken)));
                        var now = time.GetUtcNow();
                        for (var index = 0; index < results.Length; index++)
                        {
                            pendingInputs.Enqueue(results[index].Succeeded
                                ? new ActivityCompleted(now, activities.Calls[index].CallId, results[index].Output)
                                : new ActivityFailed(now, activities.Calls[index].CallId, results[index].Reason ?? "failed"));
                        }

                        continue;

                    case WaitFor wait:
                        if (wait.EventName is { } name && await TakeBufferedAsync(state, name, cancellationToken) is { } arrived)
                        {
                            consumedEvent = arrived.RowKey;
                            pendingInputs.Enqueue(new EventReceived(time.GetUtcNow(), arrived.Name, arrived.Payload));
                            continue;
                        }

                        timers.Set(instanceId, wait.Deadline, () => Kick(instanceId, new TimerFired(time.GetUtcNow(), wait.TimerId)));
                        return;

                    case FinishRun finish:
                        timers.Cancel(instanceId);

                        // Ending known before the run leaves the unfinished map, so no moment lacks an answer from memory.
                        endedRuns.Add(instanceId, RunProgress.Of(state));
                        unfinishedRuns.TryRemove(instanceId, out _);
                        LogFinished(logger, instanceId, finish.Outcome.Result, finish.Outcome.Reason);
                        if (buffered.Take(instanceId))
                        {
                            await DropKeptEventsAsync(state, cancellationToken);
                        }

                        return;

                    default:
                        return;
                }
            }
        }

        throw new InvalidOperationException($"run {instanceId} kept changing under {maxConflictRetries} attempts to advance it");
    }

    /// <summary>
    /// Keeps a state just written: in the cache, and in the run's progress, so that admission can tell from memory
    /// whether the run holds its pod isolated. The progress goes first: what the cache shows, the progress knows. A run
    /// that has left the unfinished map (it finished) is not put back.
    /// </summary>
    private void Written(StoredRun written)
    {
        var id = written.State.InstanceId;
        if (unfinishedRuns.TryGetValue(id, out var progress))
        {
            unfinishedRuns.TryUpdate(id, RunProgress.Of(written.State), progress);
        }

        cache.Put(written);
    }

    /// <summary>Reads the run from the table (holding its lock), keeping what it read.</summary>
    private async Task<StoredRun?> ReadAsync(string instanceId, CancellationToken cancellationToken)
    {
        var stored = await store.ReadAsync(instanceId, cancellationToken);
        if (stored is null)
        {
            cache.Remove(instanceId);
        }
        else
        {
            cache.Put(stored);
        }

        return stored;
    }

    /// <summary>A run's lock, taken by the caller, with the state it wrote while holding it.</summary>
    private sealed record Handoff(RunLock Lock, StoredRun Run);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {InstanceId} started with playbook {Playbook}")]
    private static partial void LogStarted(ILogger logger, string instanceId, string playbook);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {InstanceId} finished: {Result} {Reason}")]
    private static partial void LogFinished(ILogger logger, string instanceId, RunResult result, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered {Count} unfinished runs")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {InstanceId} was changed by another writer; reading it again")]
    private static partial void LogConflict(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Driving run {InstanceId} failed; it goes on from its stored state in {Delay}")]
    private static partial void LogDriveFailed(ILogger logger, Exception exception, string instanceId, TimeSpan delay);
}
