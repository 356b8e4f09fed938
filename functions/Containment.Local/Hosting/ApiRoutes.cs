using Containment.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containment.Local.Hosting;

/// <summary>The routes of the HTTP contract, each mapped to one handler in Containment.Core/Api.</summary>
internal static class ApiRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/health", Keyed((request, services, ct) => services.GetRequiredService<HealthApi>().CheckAsync(ct)));
        api.MapGet("/playbooks", Keyed((request, services, ct) => services.GetRequiredService<PlaybooksApi>().ListAsync(ct)));

        api.MapGet("/events", Keyed((request, services, ct) => services.GetRequiredService<EventsApi>().ListAsync(request, ct)));
        api.MapGet("/events/{id}", Keyed((request, services, ct) => services.GetRequiredService<EventsApi>().GetAsync(request.Route("id"), ct)));
        api.MapPost("/events/{id}/status", Keyed((request, services, ct) => services.GetRequiredService<EventsApi>().SetStatusAsync(request, request.Route("id"), ct)));

        api.MapGet("/isolations", Keyed((request, services, ct) => services.GetRequiredService<IsolationsApi>().ListAsync(request, ct)));
        api.MapGet("/isolations/{id}", Keyed((request, services, ct) => services.GetRequiredService<IsolationsApi>().GetAsync(request.Route("id"), ct)));
    }

    private delegate Task<ApiResponse> Handler(ApiRequest request, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>A route that requires the API key, like an <c>AuthorizationLevel.Function</c> trigger.</summary>
    private static RequestDelegate Keyed(Handler handler) => Handle(handler, requireKey: true);

    private static RequestDelegate Handle(Handler handler, bool requireKey) => async context =>
    {
        var services = context.RequestServices;
        var maxBodyBytes = services.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes;
        var request = await HttpApiAdapter.ToApiRequestAsync(context, maxBodyBytes);
        var response = requireKey && !services.GetRequiredService<ApiKeyCheck>().IsAuthorized(request)
            ? ApiKeyCheck.Unauthorized
            : await handler(request, services, context.RequestAborted);
        await HttpApiAdapter.WriteAsync(context, response);
    };
}
