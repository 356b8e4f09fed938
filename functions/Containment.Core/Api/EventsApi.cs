using Containment.Alerts;
using Containment.Ledger;

namespace Containment.Api;

/// <summary>
/// <c>GET /api/events</c> and <c>POST /api/events/{id}/status</c>: security events and their processing status. Each
/// event is also addressed by a query value, <c>GET /api/event?id=</c> and <c>POST /api/event/status?id=</c>: Azure
/// Functions answers 404 to a path with an escaped slash, which a Sentinel incident's event ids hold, and ranks the
/// routes of its functions by name rather than literal segments first, so these stand apart from <c>events/{id}</c>.
/// </summary>
public sealed class EventsApi(SecurityEventLedger events, AuditTrail audit, TimeProvider time)
{
    public async Task<ApiResponse> ListAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (status, error) = ApiQuery.Enum<EventStatus>(request, "status");
        var (limit, after, pageError) = ApiQuery.PageOf(request);
        if ((error ?? pageError) is { } refused)
        {
            return refused;
        }

        var page = await events.ListAsync(new EventQuery(status, limit, after), cancellationToken);
        return ApiResponse.Json(200, new { Events = page.Items, Next = page.Next?.ToToken() });
    }

    public async Task<ApiResponse> GetAsync(string id, CancellationToken cancellationToken)
    {
        var record = await events.GetAsync(id, cancellationToken);
        return record is null
            ? ApiResponse.Error(404, $"no security event '{id}'")
            : ApiResponse.Json(200, new { Event = record, Audit = await audit.ListAsync(AuditSubject.SecurityEvent, id, cancellationToken) });
    }

    /// <summary><c>GET /api/event?id=</c>: as <see cref="GetAsync"/>.</summary>
    public Task<ApiResponse> GetByQueryAsync(ApiRequest request, CancellationToken cancellationToken) =>
        IdOf(request) is { } id ? GetAsync(id, cancellationToken) : Task.FromResult(NoId);

    /// <summary><c>POST /api/event/status?id=</c>: as <see cref="SetStatusAsync"/>.</summary>
    public Task<ApiResponse> SetStatusByQueryAsync(ApiRequest request, CancellationToken cancellationToken) =>
        IdOf(request) is { } id ? SetStatusAsync(request, id, cancellationToken) : Task.FromResult(NoId);

    public async Task<ApiResponse> SetStatusAsync(ApiRequest request, string id, CancellationToken cancellationToken)
    {
        var (change, error) = ApiBody.Read<EventStatusChange>(request);
        if (change is null)
        {
            return error!;
        }

        if (ReasonText.Problem(change.Reason, "say why the status changes") is { } reasonProblem)
        {
            return ApiResponse.Error(400, "the body is not valid", reasonProblem);
        }

        var actor = ApiActor.Of(request);
        var now = time.GetUtcNow();
        // A change already made by this very request (its write landed, its answer was lost, and the next try met it)
        // is left as it is, so it is written and audited once.
        var updated = await events.ChangeAsync(
            id,
            current => current.Status == change.Status && current.StatusReason == change.Reason && current.ChangedAt == now && current.ChangedBy == actor
                ? current
                : current with { Status = change.Status, StatusReason = change.Reason, ChangedAt = now, ChangedBy = actor },
            (before, after) => [AuditEntry.EventStatusChanged(id, before.Status, change.Status, change.Reason, actor, now, after.RunInstanceId)],
            cancellationToken);
        if (updated is null)
        {
            return ApiResponse.Error(404, $"no security event '{id}'");
        }

        return ApiResponse.Json(200, updated);
    }

    private static readonly ApiResponse NoId =
        ApiResponse.Error(400, "say which security event", new ApiErrorDetail("id", "expected the event's id as the query value id, escaped as a query value"));

    private static string? IdOf(ApiRequest request) => request.QueryValue("id");
}
