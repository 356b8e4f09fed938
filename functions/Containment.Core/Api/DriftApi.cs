using Containment.Clusters;
using Containment.Isolation.Drift;

namespace Containment.Api;

/// <summary><c>GET /api/drift?cluster=</c>: where the clusters' quarantined pods and the isolation ledger disagree.</summary>
public sealed class DriftApi(LedgerDriftCheck check, ClusterRegistry clusters)
{
    public async Task<ApiResponse> CheckAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        string? only = null;
        if (request.QueryValue("cluster") is { } named)
        {
            if (ClusterLookup.Find(clusters.Configured, named) is not { } found)
            {
                return ApiResponse.Error(404, $"no configured cluster '{named}'", new ApiErrorDetail("cluster", "expected a configured alias or AKS resource id"));
            }

            only = found.Alias;
        }

        return ApiResponse.Json(200, await check.CheckAsync(cancellationToken, only));
    }
}
