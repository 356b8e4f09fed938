using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Drift;

/// <summary>
/// Runs the drift watch every <see cref="DriftOptions.Every"/> in a host that has no timer trigger of its own (the local
/// host; the Functions app has a timer function). A round that fails is logged, and the next runs on time.
/// </summary>
public sealed partial class DriftSchedule(DriftWatch watch, IOptions<DriftOptions> options, TimeProvider time, ILogger<DriftSchedule> logger) : BackgroundService
{
    private PeriodicTimer? timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Made here, not in ExecuteAsync (which runs on the thread pool): the interval counts from the host's start.
        if (options.Value.Every == TimeSpan.Zero)
        {
            LogOff(logger);
        }
        else
        {
            timer = new PeriodicTimer(options.Value.Every, time);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (timer is null)
        {
            return;
        }

        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await watch.RunAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, exception, options.Value.Every);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    public override void Dispose()
    {
        timer?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The drift watch is off (Containment:Drift:Every is 00:00:00)")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "A drift watch round failed; the next runs in {Every}")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, TimeSpan every);
}
