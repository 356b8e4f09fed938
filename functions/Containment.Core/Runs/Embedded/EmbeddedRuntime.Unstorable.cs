using Azure;
using Containment.Playbooks;
using Containment.Runs.Machine;
using Microsoft.Extensions.Logging;

namespace Containment.Runs.Embedded;

/// <summary>A run whose state cannot be stored ends failed, rather than go back to its stored state and call again, forever.</summary>
public sealed partial class EmbeddedRuntime
{
    /// <summary>
    /// Writes the run's new state, ETag-checked; when storage can never take it (<see cref="UnstorableState"/>), writes
    /// the run ended failed in its place. The state written and its ETag; no ETag when another writer won.
    /// </summary>
    /// <exception cref="UnstorableRunException">Not even the run's failure could be stored.</exception>
    private async Task<(RunState State, ETag? ETag)> WriteAsync(RunState state, Playbook playbook, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            return (state, await store.ReplaceAsync(state, playbook, etag, cancellationToken));
        }
        catch (Exception exception) when (UnstorableState.Is(exception))
        {
            var reason = UnstorableState.Reason(exception);
            LogUnstorable(logger, exception, state.InstanceId, reason);
            var ended = UnstorableState.Ended(state, reason, time.GetUtcNow());
            try
            {
                return (ended, await store.ReplaceAsync(ended, playbook, etag, cancellationToken));
            }
            catch (Exception again) when (UnstorableState.Is(again))
            {
                throw new UnstorableRunException(state.InstanceId, again);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {InstanceId} cannot store its state, which storing again would not mend; it ends failed: {Reason}")]
    private static partial void LogUnstorable(ILogger logger, Exception exception, string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Run {InstanceId} could not store even its failure; it is not driven again until the next start")]
    private static partial void LogNotDrivenAgain(ILogger logger, Exception exception, string instanceId);
}
