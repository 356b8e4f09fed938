using Containment.Api;
using Containment.Ledger;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Runs.Embedded;

/// <summary>
/// At host start, picks up every run an earlier process left unfinished. Storage that does not answer then does not
/// stop the host: it serves (answering 503 wherever it needs storage, so senders retry) and tries the pick-up again
/// after <see cref="EmbeddedRuntimeOptions.DriveRetryDelay"/>, doubled after each failure up to
/// <see cref="EmbeddedRuntimeOptions.MaxDriveRetryDelay"/>, until it goes through. Health says whether it has. Where
/// hosts share the tables (<see cref="RuntimeLease"/>), a host that takes them after another held them first drops what
/// it knew of the runs, and picks them up again, before it drives any; so does a host that takes them back.
/// </summary>
public sealed partial class RuntimeRecovery(
    EmbeddedRuntime runtime,
    TimeProvider time,
    IOptions<EmbeddedRuntimeOptions> options,
    ILogger<RuntimeRecovery> logger,
    RuntimeLease? lease = null,
    JoinedEventMarks? marks = null) : IHostedService, IHealthReporter, IDisposable
{
    public const string HealthCheckName = "runtime";

    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim pickingUp = new(1, 1);
    private readonly TaskCompletionSource recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task retrying = Task.CompletedTask;
    private Task? keeping;
    private int disposed;
    private volatile HealthCheck state = new(HealthCheckName, HealthState.Degraded, "runs left unfinished by an earlier process are not picked up yet");

    /// <summary>Whether the unfinished runs have been picked up.</summary>
    public bool Recovered => recovered.Task.IsCompleted;

    /// <summary>Completes once the unfinished runs have been picked up.</summary>
    public Task WhenRecoveredAsync(CancellationToken cancellationToken) => recovered.Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Tried once before the host serves, so that normally every run is picked up before the first request.
        if (!await TryRecoverAsync(failuresBefore: 0, cancellationToken))
        {
            retrying = RetryAsync(stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await retrying.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (lease is not null)
        {
            await (keeping ?? Task.CompletedTask).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await lease.GiveUpAsync(cancellationToken);
        }
    }

    /// <summary>How the pick-up went; degraded, with the reason, while the lease keeps this host from driving runs.</summary>
    public HealthCheck Report() =>
        state.State == HealthState.Healthy && lease?.Closed is { } closed
            ? new HealthCheck(HealthCheckName, HealthState.Degraded, $"this host takes no alerts and drives no runs now: {closed}")
            : state;

    public void Dispose()
    {
        // Registered under three services, so disposed up to three times.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        // A host disposed without being stopped leaves no retry behind.
        stopping.Cancel();
        stopping.Dispose();
        pickingUp.Dispose();
    }

    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        try
        {
            for (var failures = 1; ; failures++)
            {
                await Task.Delay(DelayAfter(failures), time, cancellationToken);

                // The lease may have picked the runs up meanwhile, after taking the tables back.
                if (Recovered || await TryRecoverAsync(failures, cancellationToken))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the next process picks the runs up.
        }
    }

    private async Task<bool> TryRecoverAsync(int failuresBefore, CancellationToken cancellationToken)
    {
        try
        {
            // Runs are picked up by the host that holds their tables, and by no other; once it holds them, the lease keeps them.
            if (lease is not null && keeping is null && await lease.AcquireAsync(cancellationToken) is { } heldBy)
            {
                var wait = DelayAfter(failuresBefore + 1);
                state = new HealthCheck(HealthCheckName, HealthState.Degraded,
                    $"{heldBy}: this host takes no alerts and drives no runs until it holds them; next try at {time.GetUtcNow() + wait:u}");
                LogHeldElsewhere(logger, heldBy, wait);
                return false;
            }

            keeping ??= lease?.KeepAsync(PickUpAgainAsync, stopping.Token);
            var count = await PickUpAsync(cancellationToken);
            state = new HealthCheck(HealthCheckName, HealthState.Healthy, $"picked up the {count} run(s) an earlier process left unfinished");
            recovered.TrySetResult();
            return true;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage unreachable or failing past the SDK's own retries; nothing was picked up, so all is tried again.
            var delay = DelayAfter(failuresBefore + 1);
            state = new HealthCheck(
                HealthCheckName,
                HealthState.Degraded,
                $"runs left unfinished by an earlier process are not picked up yet ({ReasonOf(exception)}); next try at {time.GetUtcNow() + delay:u}");
            LogRecoveryFailed(logger, exception, delay);
            return false;
        }
    }

    /// <summary>
    /// Called by the lease after it took the tables after another host held them (back, or over after waiting) and the
    /// runs were not picked up yet: they are picked up again before the gate opens. A failure is tried again after the
    /// lease's next renewal.
    /// </summary>
    private async Task PickUpAgainAsync(CancellationToken cancellationToken)
    {
        state = new HealthCheck(HealthCheckName, HealthState.Degraded, "took the runtime's tables after another host held them: picking their runs up again");
        LogPickingUpAgain(logger);
        try
        {
            var count = await PickUpAsync(cancellationToken);
            state = new HealthCheck(HealthCheckName, HealthState.Healthy, $"picked up the {count} unfinished run(s) again after another host held the runtime's tables");
            recovered.TrySetResult();
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            state = new HealthCheck(
                HealthCheckName,
                HealthState.Degraded,
                $"took the runtime's tables after another host held them; their runs are not picked up again yet ({ReasonOf(exception)}): tried again after the lease's next renewal");
            LogPickUpAgainFailed(logger, exception);
        }
    }

    /// <summary>
    /// Picks up the unfinished runs. When another host may have driven them since this one last knew them (<see cref="RuntimeLease.PickUpDue"/>),
    /// what this host knew of them is dropped first, and the lease's gate opens once they are picked up.
    /// </summary>
    private async Task<int> PickUpAsync(CancellationToken cancellationToken)
    {
        // One at a time: the start's retries and the lease's pick-up may meet.
        await pickingUp.WaitAsync(cancellationToken);
        try
        {
            var due = lease?.PickUpDue;
            if (due is not null)
            {
                runtime.ForgetRuns();
                marks?.Forget();
            }

            var count = await runtime.RecoverAsync(cancellationToken);
            if (due is { } take)
            {
                lease!.PickedUp(take);
            }

            return count;
        }
        finally
        {
            pickingUp.Release();
        }
    }

    private static string ReasonOf(Exception exception) =>
        StorageFailure.In(exception) is { } storage ? $"storage: {StorageFailure.Describe(storage)}" : "the host's log has the details";

    private TimeSpan DelayAfter(int failures) => DoublingDelay.After(failures, options.Value.DriveRetryDelay, options.Value.MaxDriveRetryDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not taking the runtime's tables: {HeldBy}; tries again in {Delay}")]
    private static partial void LogHeldElsewhere(ILogger logger, string heldBy, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took the runtime's tables after another host held them: picking their runs up again before driving any")]
    private static partial void LogPickingUpAgain(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Picking the runs up again failed; the host drives none until it has, and tries again after the lease's next renewal")]
    private static partial void LogPickUpAgainFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Picking up unfinished runs failed; the host serves, and tries again in {Delay}")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception, TimeSpan delay);
}
