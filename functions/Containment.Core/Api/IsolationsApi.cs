using Containment.Ledger;

namespace Containment.Api;

/// <summary><c>GET /api/isolations</c> and <c>GET /api/isolations/{id}</c>: the isolation ledger.</summary>
public sealed class IsolationsApi(IsolationLedger isolations, AuditTrail audit)
{
    public async Task<ApiResponse> ListAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (status, error) = ApiQuery.Enum<IsolationStatus>(request, "status");
        if (error is not null)
        {
            return error;
        }

        var query = new IsolationQuery(status, request.QueryValue("cluster"), request.QueryValue("namespace"));
        return ApiResponse.Json(200, new { Isolations = await isolations.ListAsync(query, cancellationToken) });
    }

    public async Task<ApiResponse> GetAsync(string id, CancellationToken cancellationToken)
    {
        var record = await isolations.GetAsync(id, cancellationToken);
        return record is null
            ? ApiResponse.Error(404, $"no isolation '{id}'")
            : ApiResponse.Json(200, new { Isolation = record, Audit = await audit.ListAsync(id, cancellationToken) });
    }
}
