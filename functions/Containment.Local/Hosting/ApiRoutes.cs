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
        api.MapGet("/event", Keyed((request, services, ct) => services.GetRequiredService<EventsApi>().GetByQueryAsync(request, ct)));
        api.MapPost("/event/status", Keyed((request, services, ct) => services.GetRequiredService<EventsApi>().SetStatusByQueryAsync(request, ct)));

        api.MapGet("/isolations", Keyed((request, services, ct) => services.GetRequiredService<IsolationsApi>().ListAsync(request, ct)));
        api.MapGet("/isolations/{id}", Keyed((request, services, ct) => services.GetRequiredService<IsolationsApi>().GetAsync(request.Route("id"), ct)));
        api.MapPost("/isolations", Keyed((request, services, ct) => services.GetRequiredService<IsolationsApi>().IsolateAsync(request, ct)));
        api.MapGet("/drift", Keyed((request, services, ct) => services.GetRequiredService<DriftApi>().CheckAsync(request, ct)));
        api.MapPost("/isolations/{id}/release", Keyed((request, services, ct) => services.GetRequiredService<IsolationsApi>().ReleaseAsync(request, request.Route("id"), ct)));

        api.MapPost("/alerts", Keyed((request, services, ct) => services.GetRequiredService<AlertsApi>().PostAsync(request, ct)));
        api.MapPost("/eventgrid", Keyed((request, services, ct) => services.GetRequiredService<EventGridApi>().PostAsync(request, ct)));
        api.MapMethods("/eventgrid", ["OPTIONS"], Keyed((request, _, _) => Task.FromResult(EventGridApi.Options(request))));
        api.MapGet("/poison", Keyed((request, services, ct) => services.GetRequiredService<PoisonApi>().ListAsync(request, ct)));
        api.MapGet("/poison/{id}", Keyed((request, services, ct) => services.GetRequiredService<PoisonApi>().GetAsync(request.Route("id"), ct)));
        api.MapGet("/runs/{instanceId}", Keyed((request, services, ct) => services.GetRequiredService<RunsApi>().GetAsync(request.Route("instanceId"), ct)));

        // Approval links carry their own signed token: no key, as AuthorizationLevel.Anonymous in Azure.
        api.MapGet("/approvals/{token}", Anonymous((request, services, ct) => services.GetRequiredService<ApprovalsApi>().ShowAsync(request, request.Route("token"), ct)));
        api.MapPost("/approvals/{token}", Anonymous((request, services, ct) => services.GetRequiredService<ApprovalsApi>().DecideAsync(request, request.Route("token"), ct)));
    }

    private delegate Task<ApiResponse> Handler(ApiRequest request, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>A route that requires the API key, like an <c>AuthorizationLevel.Function</c> trigger.</summary>
    private static RequestDelegate Keyed(Handler handler) => Handle(handler, requireKey: true);

    private static RequestDelegate Anonymous(Handler handler) => Handle(handler, requireKey: false);

    private static RequestDelegate Handle(Handler handler, bool requireKey) => context => HandleAsync(context, handler, requireKey);

    private static async Task HandleAsync(HttpContext context, Handler handler, bool requireKey)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<ApiOptions>>().Value;
        var request = await HttpApiAdapter.ToApiRequestAsync(context, options.MaxBodyBytes, options.TrustPrincipalHeaders);
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "the API";
        var response = requireKey && !services.GetRequiredService<ApiKeyCheck>().IsAuthorized(request)
            ? ApiKeyCheck.Unauthorized
            : await services.GetRequiredService<ApiFailures>().GuardAsync(route, () => handler(request, services, context.RequestAborted), context.RequestAborted);
        await HttpApiAdapter.WriteAsync(context, response);
    }
}
