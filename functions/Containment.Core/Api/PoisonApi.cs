using Containment.Ledger;

namespace Containment.Api;

/// <summary>
/// <c>GET /api/poison</c> and <c>GET /api/poison/{id}</c>: the bodies refused as unreadable, with the reason each sender
/// was given, so that a sender whose format changed is seen from here and not only by the sender.
/// </summary>
public sealed class PoisonApi(PoisonStore poison)
{
    public async Task<ApiResponse> ListAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (limit, after, error) = ApiQuery.PageOf(request);
        if (error is not null)
        {
            return error;
        }

        PoisonKey? from = null;
        if (after is { } cursor)
        {
            if (!PoisonKey.TryParse(cursor.Id, out var place))
            {
                return ApiQuery.ForeignCursor;
            }

            from = place;
        }

        var page = await poison.ListAsync(limit, from, cancellationToken);
        return ApiResponse.Json(200, new { Poison = page.Items, Next = page.Next?.ToToken() });
    }

    public async Task<ApiResponse> GetAsync(string id, CancellationToken cancellationToken) =>
        await poison.GetAsync(id, cancellationToken) is { } record
            ? ApiResponse.Json(200, record)
            : ApiResponse.Error(404, $"no poison record '{id}'");
}
