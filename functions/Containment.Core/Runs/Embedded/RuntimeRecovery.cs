using Microsoft.Extensions.Hosting;

namespace Containment.Runs.Embedded;

/// <summary>At host start, picks up every run an earlier process left unfinished.</summary>
public sealed class RuntimeRecovery(EmbeddedRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.RecoverAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
