using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Playbooks;

/// <summary>
/// The host's playbooks: loaded once from <c>Containment:PlaybooksPath</c> and checked against the
/// configured channels and approvers. Invalid files are left out and reported, valid ones serve.
/// </summary>
public sealed partial class PlaybookRepository(IOptions<PlaybookOptions> options, IConfiguration configuration, ILogger<PlaybookRepository> logger) : IDisposable
{
    private readonly SemaphoreSlim loading = new(1, 1);
    private PlaybookLoadResult? loaded;

    public async Task<PlaybookLoadResult> GetAsync(CancellationToken cancellationToken)
    {
        if (loaded is { } current)
        {
            return current;
        }

        await loading.WaitAsync(cancellationToken);
        try
        {
            loaded ??= await LoadAsync(cancellationToken);
            return loaded;
        }
        finally
        {
            loading.Release();
        }
    }

    public void Dispose() => loading.Dispose();

    public async Task<PlaybookCatalog> GetCatalogAsync(CancellationToken cancellationToken) => (await GetAsync(cancellationToken)).Catalog;

    /// <summary>What the settings declare, for the checks that need it.</summary>
    public static PlaybookValidationContext ContextFrom(IConfiguration configuration)
    {
        var channels = configuration.GetSection("Containment:Notifications:Channels").GetChildren().Select(channel => channel.Key);
        var approvers = configuration.GetSection("Containment:Approvals:Approvers");
        return new PlaybookValidationContext
        {
            Channels = channels.ToHashSet(StringComparer.OrdinalIgnoreCase), // as the sender looks channels up
            Approvers = approvers.Exists()
                ? approvers.GetChildren().Select(approver => approver.Value).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase)
                : null,
        };
    }

    private async Task<PlaybookLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        var result = await PlaybookLoader.LoadAsync([options.Value.PlaybooksPath], ContextFrom(configuration), cancellationToken);
        foreach (var problem in result.Problems)
        {
            LogProblem(logger, problem.File, problem.Pointer, problem.Message);
        }

        LogLoaded(logger, result.Catalog.Playbooks.Count, options.Value.PlaybooksPath, result.Problems.Count);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Playbook problem {File}:{Pointer}: {Problem}")]
    private static partial void LogProblem(ILogger logger, string file, string pointer, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} playbooks from {Path} ({Problems} problems)")]
    private static partial void LogLoaded(ILogger logger, int count, string path, int problems);
}
