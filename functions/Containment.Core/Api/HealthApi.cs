using Azure.Data.Tables;
using Containment.Ledger;
using Containment.Playbooks;

namespace Containment.Api;

/// <summary>
/// <c>GET /api/health</c>: alive, and whether storage answers and the playbooks loaded cleanly; also how
/// many storage operations this process has made, so idle cost can be watched from outside (the check's own
/// probe is not among them). Parts of the host that know their own state (<see cref="IHealthReporter"/>) add theirs.
/// </summary>
public sealed class HealthApi(LedgerTables tables, PlaybookRepository playbooks, StorageOperationCounter storageOperations, IEnumerable<IHealthReporter> reporters)
{
    /// <summary>The keys of a row that is never written: reading it costs one operation and changes nothing.</summary>
    private const string ProbeKey = "health-probe";

    public async Task<ApiResponse> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = new List<HealthCheck>();
        try
        {
            // Tables are created once per process, so a round trip is what tells whether storage answers now.
            await tables.EnsureCreatedAsync(cancellationToken);
            using (StorageOperationCounter.Uncounted())
            {
                await tables.Isolations.GetEntityIfExistsAsync<TableEntity>(ProbeKey, ProbeKey, cancellationToken: cancellationToken);
            }

            checks.Add(new HealthCheck("storage", HealthState.Healthy, null));
        }
        catch (Exception exception) when (StorageFailure.In(exception) is { } storage && !cancellationToken.IsCancellationRequested)
        {
            // Azure.Core reports a transport failure (refused, reset, DNS) as status 0, the transport's exception inside.
            checks.Add(new HealthCheck("storage", HealthState.Unhealthy, storage.Status == 0
                ? $"table storage cannot be reached: {(storage.InnerException ?? storage).Message}"
                : $"table storage answered {storage.Status}: {storage.ErrorCode}"));
        }

        var loaded = await playbooks.GetAsync(cancellationToken);
        checks.Add(loaded.IsValid
            ? new HealthCheck("playbooks", HealthState.Healthy, $"{loaded.Catalog.Playbooks.Count} loaded")
            : new HealthCheck("playbooks", HealthState.Degraded, $"{loaded.Problems.Count} problem(s); see GET /api/playbooks"));
        checks.AddRange(reporters.Select(reporter => reporter.Report()));

        var overall = checks.Max(check => check.State);
        return ApiResponse.Json(overall == HealthState.Unhealthy ? 503 : 200, new { Status = overall, Checks = checks, StorageOperations = storageOperations.Count });
    }
}

/// <summary>One dependency's state in the health answer.</summary>
public sealed record HealthCheck(string Name, HealthState State, string? Detail = null);

/// <summary>Ordered from best to worst, so the overall state is the worst check.</summary>
public enum HealthState
{
    Healthy,
    Degraded,
    Unhealthy,
}
