using System.Text.Json;
using Containment.Runs.Machine;
using Microsoft.Extensions.Logging;

namespace Containment.Runs.Embedded;

/// <summary>External events: applied at once to a run waiting for them, buffered as rows otherwise.</summary>
public sealed partial class EmbeddedRuntime
{
    public async Task<RaiseEventResult> RaiseEventAsync(string instanceId, string eventName, JsonElement payload, CancellationToken cancellationToken)
    {
        ThrowIfClosed();

        // When the run waits for this event and no drive holds it, the event is applied to the state here (one
        // write, and a read when the state is not in memory) and the drive goes on in the background. A run
        // being driven, or not yet waiting for it, gets it as a buffered row: the caller never waits on a drive.
        if (locks.TryEnter(instanceId) is { } held)
        {
            (RaiseEventResult? Answer, StoredRun? Applied) outcome;
            try
            {
                outcome = await TryApplyAsync(instanceId, eventName, payload, cancellationToken);
            }
            catch (Exception)
            {
                // A write whose answer was lost may have landed: a drive goes on from whatever the row holds.
                cache.Remove(instanceId);
                held.Dispose();
                Kick(instanceId, input: null, readRow: true);
                throw;
            }

            if (outcome.Applied is { } applied)
            {
                Kick(instanceId, input: null, new Handoff(held, applied));
            }
            else
            {
                held.Dispose();
            }

            if (outcome.Answer is { } answer)
            {
                return answer;
            }
        }

        return await BufferAsync(instanceId, eventName, payload, cancellationToken);
    }

    /// <summary>
    /// With the run's lock held: applies the event when the run waits for it. The answer, and the state
    /// written when applied; no answer when the event must be buffered (the run does not wait for it yet).
    /// </summary>
    private async Task<(RaiseEventResult? Answer, StoredRun? Applied)> TryApplyAsync(string instanceId, string eventName, JsonElement payload, CancellationToken cancellationToken)
    {
        for (var conflicts = 0; conflicts < maxConflictRetries; conflicts++)
        {
            // The cached state is never a finished run; a stale one fails the write below and is read again.
            var stored = (conflicts == 0 ? cache.Get(instanceId) : null) ?? await ReadAsync(instanceId, cancellationToken);
            if (stored is null)
            {
                return (RaiseEventResult.NoSuchRun, null);
            }

            if (stored.State.Phase == RunPhase.Finished)
            {
                return (RaiseEventResult.RunFinished, null);
            }

            if (!string.Equals(PlaybookMachine.AwaitedEvent(stored.State), eventName, StringComparison.OrdinalIgnoreCase))
            {
                return (null, null);
            }

            var (state, _) = PlaybookMachine.Next(stored.Playbook, stored.State, new EventReceived(time.GetUtcNow(), eventName, payload));
            if (ReferenceEquals(state, stored.State))
            {
                // Not a decision the machine takes (the API checks decisions before raising them): the run keeps waiting.
                LogEventIgnored(logger, instanceId, eventName);
                return (RaiseEventResult.Accepted, null);
            }

            // A decision whose state cannot be stored ends the run failed instead (WriteAsync), which the drive then ends.
            var (written, etag) = await WriteAsync(state, stored.Playbook, stored.ETag, cancellationToken);
            if (etag is { } writtenETag)
            {
                timers.Cancel(instanceId);
                var applied = new StoredRun(written, stored.Playbook, writtenETag);

                // A decision may start a release: from then on the run no longer holds its pod isolated.
                Written(applied);
                LogEventApplied(logger, instanceId, eventName);
                return (RaiseEventResult.Accepted, applied);
            }

            // Another process changed the run: read its version and decide again.
            LogConflict(logger, instanceId);
        }

        throw new InvalidOperationException($"run {instanceId} kept changing under {maxConflictRetries} attempts to deliver {eventName}");
    }

    /// <summary>Keeps the event as a row until the run waits for it, and starts a drive that looks for it.</summary>
    private async Task<RaiseEventResult> BufferAsync(string instanceId, string eventName, JsonElement payload, CancellationToken cancellationToken)
    {
        var existing = await store.ReadAsync(instanceId, cancellationToken);
        if (existing is null)
        {
            return RaiseEventResult.NoSuchRun;
        }

        if (existing.State.Phase == RunPhase.Finished)
        {
            return RaiseEventResult.RunFinished;
        }

        if (PlaybookMachine.IsPastWait(existing.State, eventName))
        {
            // Never kept: the run will not wait for it again. The run may be past it by a write whose answer was lost
            // (the decision applied above, whose next try met its own change), so a drive goes on from the row.
            LogEventPastWait(logger, instanceId, eventName);
            Kick(instanceId, input: null, readRow: true);
            return RaiseEventResult.PastWait;
        }

        try
        {
            await store.AddEventAsync(instanceId, existing.State.StartedAt, eventName, payload, cancellationToken);
        }
        finally
        {
            // Also when the add failed: it may have landed all the same (its answer lost, its caller hung up), and the
            // run would not list its events again. A mark for a row that never landed costs one listing.
            buffered.Mark(instanceId);

            // The drive started here reads the row: this process may not have seen the latest state (another
            // process may be driving the run), and a drive that writes nothing would not find that out.
            Kick(instanceId, input: null, readRow: true);
        }

        return RaiseEventResult.Accepted;
    }

    /// <summary>The buffered event the run waits for, when the run may have buffered events (see <see cref="BufferedEventMarks"/>).</summary>
    private async Task<BufferedEvent?> TakeBufferedAsync(RunState state, string eventName, CancellationToken cancellationToken)
    {
        var instanceId = state.InstanceId;
        if (!buffered.Take(instanceId))
        {
            return null;
        }

        IReadOnlyList<BufferedEvent> rows;
        try
        {
            rows = await store.ListEventsAsync(instanceId, cancellationToken);
        }
        catch (Exception)
        {
            buffered.Mark(instanceId);
            throw;
        }

        // Rows of an earlier run with this id are never taken.
        var ofThisRun = rows.Where(row => row.IsOfRun(state.StartedAt)).ToList();
        var arrived = ofThisRun.FirstOrDefault(row => string.Equals(row.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (ofThisRun.Count > (arrived is null ? 0 : 1))
        {
            // Rows for a later wait (or left over): that wait lists them again.
            buffered.Mark(instanceId);
        }

        return arrived;
    }

    /// <summary>
    /// Deletes the events a finished run still has as rows: raised while it was taking another copy of the same decision,
    /// they were kept for a wait the run then went past. Best effort: a row left is never taken, only stored.
    /// </summary>
    private async Task DropKeptEventsAsync(RunState state, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var row in (await store.ListEventsAsync(state.InstanceId, cancellationToken)).Where(row => row.IsOfRun(state.StartedAt)))
            {
                await store.DeleteEventAsync(state.InstanceId, row.RowKey, cancellationToken);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogKeptEventsLeft(logger, exception, state.InstanceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {InstanceId} finished; the events still kept for it could not be deleted and stay unused")]
    private static partial void LogKeptEventsLeft(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {InstanceId} took event {EventName} at once")]
    private static partial void LogEventApplied(ILogger logger, string instanceId, string eventName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {InstanceId} is past the wait for event {EventName}: not kept")]
    private static partial void LogEventPastWait(ILogger logger, string instanceId, string eventName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {InstanceId} ignored event {EventName}: not a decision it takes")]
    private static partial void LogEventIgnored(ILogger logger, string instanceId, string eventName);
}
