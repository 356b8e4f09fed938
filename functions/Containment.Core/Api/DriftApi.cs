using Containment.Isolation.Drift;

namespace Containment.Api;

/// <summary><c>GET /api/drift</c>: where the clusters' quarantined pods and the isolation ledger disagree.</summary>
public sealed class DriftApi(LedgerDriftCheck check)
{
    public async Task<ApiResponse> CheckAsync(CancellationToken cancellationToken) =>
        ApiResponse.Json(200, await check.CheckAsync(cancellationToken));
}
