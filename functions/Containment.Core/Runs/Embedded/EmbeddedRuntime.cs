using System.Collections.Concurrent;
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

    // Starts whose run write failed but may have landed, each waiting to look at its run's row (StartWrittenAsync). Kept
    // apart from the runs' own timers, which their drives replace and cancel by id: a drive ending the run a start
    // replaced would cancel the look, and a look set in their place would hold back a waiting run's timeout.
    private readonly RunTimers unsureStarts;

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

    // How often this process dropped what it knew of the runs (ForgetRuns): a drive that began before reads its run again.
    private long forgotten;

    public EmbeddedRuntime(RunStore store, ActivityInvoker invoker, TimeProvider time, IOptions<EmbeddedRuntimeOptions> options, IRuntimeGate gate, ILogger<EmbeddedRuntime> logger)
    {
        this.store = store;
        this.gate = gate;
        this.invoker = invoker;
        this.time = time;
        this.logger = logger;
        timers = new RunTimers(time);
        unsureStarts = new RunTimers(time);
        maxConflictRetries = options.Value.MaxConcurrencyRetries;
        cache = new RunCache(options.Value.CachedRuns);
        retries = new DriveRetries(options.Value.DriveRetryDelay, options.Value.MaxDriveRetryDelay);
        slots = new RunSlots(options.Value.MaxConcurrentRuns);
    }

    /// <summary>How many runs wait on an in-memory timer.</summary>
    public int WaitingTimers => timers.Count;

    /// <summary>How many runs wait to be driven again after their drive failed, or to be looked at after their start's write failed.</summary>
    public int RetryingRuns => retries.Count;

    /// <summary>How many drives wait for a slot (<see cref="EmbeddedRuntimeOptions.MaxConcurrentRuns"/>).</summary>
    public int DrivesWaitingForASlot => slots.Waiting;

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
        if (await DriveAsync(instanceId, request, handoff: null, readRow: false, Volatile.Read(ref forgotten), cancellationToken) is { } failure)
        {
            cancellationToken.ThrowIfCancellationRequested();
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

    /// <summary>
    /// Drops what this process knows of the runs (which are unfinished, how runs ended, their cached states, timers and
    /// failed drives): another process may have driven them while this one did not hold their tables (<see cref="RuntimeLease"/>).
    /// <see cref="RecoverAsync"/> then picks them up from storage; a drive already under way reads its run again before
    /// it takes its next step.
    /// </summary>
    public void ForgetRuns()
    {
        // Counted first: a drive that sees a cleared entry also sees the count moved.
        Interlocked.Increment(ref forgotten);
        timers.CancelAll();
        unsureStarts.CancelAll();
        unfinishedRuns.Clear();
        endedRuns.Clear();
        cache.Clear();
        retries.Clear();
        LogForgotten(logger);
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
        unsureStarts.Dispose();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped what this process knew of the runs: another host may have driven them since; they are read again from storage")]
    private static partial void LogForgotten(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered {Count} unfinished runs")]
    private static partial void LogRecovered(ILogger logger, int count);
}
