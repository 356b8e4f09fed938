using Containment.Api;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Isolation.Drift;

/// <summary>
/// Runs the drift watch every <see cref="DriftOptions.Every"/> in a host that has no timer trigger of its own (the local
/// host; the Functions app has a timer function). A round that fails is logged, and the next runs on time. Health says
/// how the last round went: degraded while the clusters and the ledger disagree, a cluster cannot be read or Containment
/// may not do all it needs there, or the round failed.
/// </summary>
public sealed partial class DriftSchedule(DriftWatch watch, IOptions<DriftOptions> options, TimeProvider time, ILogger<DriftSchedule> logger)
    : BackgroundService, IHealthReporter
{
    public const string HealthCheckName = "drift";

    private PeriodicTimer? timer;
    private volatile HealthCheck state = new(HealthCheckName, HealthState.Healthy, "no round yet");

    public HealthCheck Report() => state;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Made here, not in ExecuteAsync (which runs on the thread pool): the interval counts from the host's start.
        var every = options.Value.Every;
        if (every == TimeSpan.Zero)
        {
            LogOff(logger);
            state = new HealthCheck(HealthCheckName, HealthState.Healthy, "off (Containment:Drift:Every is 00:00:00)");
        }
        else
        {
            timer = new PeriodicTimer(every, time);
            state = new HealthCheck(HealthCheckName, HealthState.Healthy, $"no round yet; the first at {ReadableTime.Of(time.GetUtcNow() + every)}");
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
                    state = HealthOf(await watch.RunAsync(stoppingToken));
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, exception, options.Value.Every);
                    state = new HealthCheck(HealthCheckName, HealthState.Degraded, $"the round at {ReadableTime.Of(time.GetUtcNow())} failed: {exception.Message}");
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

    private static HealthCheck HealthOf(DriftWatchOutcome outcome)
    {
        var report = outcome.Report;
        var unread = report.Clusters.Where(cluster => cluster.Error is not null).Select(cluster => cluster.Cluster).ToList();
        var shortOfAccess = report.Clusters.Where(cluster => cluster.ShortOfAccess).Select(cluster => $"{cluster.Cluster} ({cluster.MissingText()})").ToList();
        var detail = $"last round at {ReadableTime.Of(report.CheckedAt)}: {report.Findings.Count} disagreements standing"
            + (unread.Count == 0 ? string.Empty : $"; cannot read {string.Join(", ", unread)}")
            + (shortOfAccess.Count == 0 ? string.Empty : $"; Containment may not do all it needs on {string.Join(", ", shortOfAccess)}");
        return new HealthCheck(HealthCheckName, report.Findings.Count > 0 || unread.Count > 0 || shortOfAccess.Count > 0 ? HealthState.Degraded : HealthState.Healthy, detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The drift watch is off (Containment:Drift:Every is 00:00:00)")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "A drift watch round failed; the next runs in {Every}")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, TimeSpan every);
}
