using Containment.Runs.Machine;
using Microsoft.Extensions.Logging;

namespace Containment.Runs.Embedded;

/// <summary>Driving a run: one drive at a time per run, each change written (ETag-checked) before the run acts on it.</summary>
public sealed partial class EmbeddedRuntime
{
    /// <param name="handoff">The run's lock and its state as just written by the caller, who took the lock: saves the first read.</param>
    /// <param name="readRow">Read the row rather than trust the cached state: storage may have changed outside the run's lock.</param>
    private void Kick(string instanceId, RunInput? input, Handoff? handoff = null, bool readRow = false)
    {
        drives.Started();
        var knownAsOf = Volatile.Read(ref forgotten);
        _ = Task.Run(async () =>
        {
            try
            {
                await DriveAsync(instanceId, input, handoff, readRow, knownAsOf, stopping.Token);
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
    /// <param name="knownAsOf">How often this process had forgotten its runs (<see cref="ForgetRuns"/>) when the caller knew what it passes.</param>
    private async Task<Exception?> DriveAsync(string instanceId, RunInput? input, Handoff? handoff, bool readRow, long knownAsOf, CancellationToken cancellationToken)
    {
        RunLock runLock;
        try
        {
            runLock = handoff?.Lock ?? await locks.EnterAsync(instanceId, cancellationToken);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }

        try
        {
            await gate.WhenOpenAsync(cancellationToken);
            using (var turn = await slots.TakeAsync(cancellationToken))
            {
                await DriveLockedAsync(instanceId, input, handoff?.Run ?? (readRow ? null : cache.Get(instanceId)), knownAsOf, turn, cancellationToken);
            }

            retries.Succeeded(instanceId);
            return null;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the stored state is where the next process goes on from. A caller that hung up (an ending
            // asked for over HTTP) is a failure like any other: its write may have landed, and what this process
            // knows of the run is put right by a drive from the row.
            return null;
        }
        catch (UnstorableRunException exception)
        {
            // Another drive would go back to the stored state and make its pending calls again, to the same end.
            cache.Remove(instanceId);
            retries.Succeeded(instanceId);
            LogNotDrivenAgain(logger, exception, instanceId);
            return exception;
        }
        catch (Exception exception)
        {
            // A row it took may not have been applied, and a write whose answer was lost may have landed.
            buffered.Mark(instanceId);
            cache.Remove(instanceId);

            // Replaces the run's wait timer, if any: the next drive reads the row and sets it again.
            LogDriveFailed(logger, exception, instanceId, DriveFromRowLater(timers, instanceId));
            return exception;
        }
        finally
        {
            runLock.Dispose();
        }
    }

    /// <summary>
    /// Counts a failure of the run (<see cref="DriveRetries"/>) and, unless the runtime has stopped, sets a timer on
    /// <paramref name="timer"/> that drives the run from its row once the delay has passed; the delay.
    /// </summary>
    private TimeSpan DriveFromRowLater(RunTimers timer, string instanceId)
    {
        var delay = retries.Failed(instanceId);
        if (Volatile.Read(ref disposed) == 0)
        {
            timer.Set(instanceId, time.GetUtcNow() + delay, () => Kick(instanceId, input: null, readRow: true));
        }

        return delay;
    }

    private async Task DriveLockedAsync(string instanceId, RunInput? input, StoredRun? known, long knownAsOf, RunSlots.Turn turn, CancellationToken cancellationToken)
    {
        var stepsTaken = 0;
        for (var conflicts = 0; conflicts < maxConflictRetries; conflicts++)
        {
            // The handed-over or cached copy is current here (see RunCache) unless another process wrote
            // since, which the ETag-checked write finds out, or this process forgot its runs since.
            var forgottenNow = Volatile.Read(ref forgotten);
            var stored = (conflicts == 0 && forgottenNow == knownAsOf ? known : null) ?? await ReadAsync(instanceId, cancellationToken);
            knownAsOf = forgottenNow;
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
                    var (kept, written) = await WriteAsync(state, playbook, etag, cancellationToken);
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

                    if (!ReferenceEquals(kept, state))
                    {
                        // The run ended failed in its place (WriteAsync): nothing the new state says is carried out.
                        (state, command) = (kept, PlaybookMachine.Repeat(kept));
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

                        // A host that no longer holds the runtime's tables starts no step; one that took them back
                        // after another host held them goes on from the run as stored, not from the step it had.
                        await gate.WhenOpenAsync(cancellationToken);
                        if (Volatile.Read(ref forgotten) != knownAsOf)
                        {
                            LogReadAgain(logger, instanceId);
                            break;
                        }

                        foreach (var result in await CallAsync(activities, cancellationToken))
                        {
                            pendingInputs.Enqueue(result);
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

                // Only a step not taken comes here (every other case returns or goes on): the run is read again.
                break;
            }
        }

        throw new InvalidOperationException($"run {instanceId} kept changing under {maxConflictRetries} attempts to advance it");
    }

    /// <summary>Makes a step's calls at once; their results, in the calls' order, are the run's next inputs.</summary>
    private async Task<IEnumerable<RunInput>> CallAsync(RunActivities activities, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(activities.Calls.Select(call => invoker.InvokeAsync(call, cancellationToken)));
        var now = time.GetUtcNow();
        return activities.Calls.Zip(results, (call, result) => result.Succeeded
            ? (RunInput)new ActivityCompleted(now, call.CallId, result.Output)
            : new ActivityFailed(now, call.CallId, result.Reason ?? "failed"));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {InstanceId} finished: {Result} {Reason}")]
    private static partial void LogFinished(ILogger logger, string instanceId, RunResult result, string? reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {InstanceId} was changed by another writer; reading it again")]
    private static partial void LogConflict(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {InstanceId} is read again before its next step: this process forgot its runs while the step waited")]
    private static partial void LogReadAgain(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Driving run {InstanceId} failed; it goes on from its stored state in {Delay}")]
    private static partial void LogDriveFailed(ILogger logger, Exception exception, string instanceId, TimeSpan delay);
}
