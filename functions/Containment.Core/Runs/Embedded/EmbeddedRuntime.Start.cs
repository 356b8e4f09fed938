using Azure;
using Containment.Alerts;
using Containment.Playbooks;
using Containment.Runs.Machine;
using Microsoft.Extensions.Logging;

namespace Containment.Runs.Embedded;

/// <summary>Starting a run: insert-first for a pod that never had one, joining a run already under way, replacing an ended one.</summary>
public sealed partial class EmbeddedRuntime
{
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

                var etag = await StartWrittenAsync(instanceId, inserting);
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

                    etag = existing is null ? null : await StartWrittenAsync(instanceId, store.ReplaceEndedAsync(state, playbook, existing.ETag, cancellationToken));
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

    /// <summary>
    /// A start's write of its run, as the store answers it. One that fails may have landed all the same (its answer lost,
    /// and every try after it failed too), and a sender told to deliver again may never do so: the run's row is looked at
    /// once the drive retry delay has passed, and a run found there is driven. The failure goes to the caller as it is.
    /// A start its caller cancelled is looked at too: a sender that gave up waiting on slow storage hung up after its
    /// insert may have landed, and may not deliver again.
    /// </summary>
    private async Task<ETag?> StartWrittenAsync(string instanceId, Task<ETag?> writing)
    {
        try
        {
            return await writing;
        }
        catch (Exception exception)
        {
            // The ending this process remembers may be of the run the write replaced: the next question reads the row.
            endedRuns.Remove(instanceId);
            LogStartUnsure(logger, exception, instanceId, DriveFromRowLater(unsureStarts, instanceId));
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {InstanceId} may be stored though the write of its start failed; its row is looked at in {Delay}")]
    private static partial void LogStartUnsure(ILogger logger, Exception exception, string instanceId, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {InstanceId} started with playbook {Playbook}")]
    private static partial void LogStarted(ILogger logger, string instanceId, string playbook);
}
