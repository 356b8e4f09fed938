using Containment.Api;
using Containment.FunctionApp.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Containment.FunctionApp.Http;

/// <summary>
/// The HTTP contract, one thin function per route, each handing the request to its Containment.Core/Api
/// handler. Keys are the Functions host's job (AuthorizationLevel.Function); approval links carry their
/// own signed token and are anonymous.
/// </summary>
public sealed class ApiFunctions(
    AlertsApi alerts,
    EventGridApi eventGrid,
    RunsApi runs,
    IsolationsApi isolations,
    DriftApi drift,
    EventsApi events,
    PoisonApi poison,
    ApprovalsApi approvals,
    PlaybooksApi playbooks,
    HealthApi health,
    ApiFailures failures,
    DurableClientAccessor durable,
    IOptions<ApiOptions> options)
{
    [Function("Alerts")]
    public Task<HttpResponseData> Alerts([HttpTrigger(AuthorizationLevel.Function, "post", Route = "alerts")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, alerts.PostAsync);

    [Function("EventGridWebhook")]
    public Task<HttpResponseData> EventGridWebhook([HttpTrigger(AuthorizationLevel.Function, "post", "options", Route = "eventgrid")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => api.Method == "OPTIONS" ? Task.FromResult(EventGridApi.Options(api)) : eventGrid.PostAsync(api, ct));

    [Function("GetRun")]
    public Task<HttpResponseData> GetRun([HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{instanceId}")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => runs.GetAsync(api.Route("instanceId"), ct));

    [Function("ListIsolations")]
    public Task<HttpResponseData> ListIsolations([HttpTrigger(AuthorizationLevel.Function, "get", Route = "isolations")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, isolations.ListAsync);

    [Function("GetIsolation")]
    public Task<HttpResponseData> GetIsolation([HttpTrigger(AuthorizationLevel.Function, "get", Route = "isolations/{id}")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => isolations.GetAsync(api.Route("id"), ct));

    [Function("Isolate")]
    public Task<HttpResponseData> Isolate([HttpTrigger(AuthorizationLevel.Function, "post", Route = "isolations")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, isolations.IsolateAsync);

    [Function("Release")]
    public Task<HttpResponseData> Release([HttpTrigger(AuthorizationLevel.Function, "post", Route = "isolations/{id}/release")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => isolations.ReleaseAsync(api, api.Route("id"), ct));

    [Function("Drift")]
    public Task<HttpResponseData> Drift([HttpTrigger(AuthorizationLevel.Function, "get", Route = "drift")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, drift.CheckAsync);

    [Function("ListEvents")]
    public Task<HttpResponseData> ListEvents([HttpTrigger(AuthorizationLevel.Function, "get", Route = "events")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, events.ListAsync);

    [Function("GetEvent")]
    public Task<HttpResponseData> GetEvent([HttpTrigger(AuthorizationLevel.Function, "get", Route = "events/{id}")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => events.GetAsync(api.Route("id"), ct));

    // Not "SetEventStatus": that is the activity's name, and a Functions app's names are one set, compared without case.
    [Function("ChangeEventStatus")]
    public Task<HttpResponseData> ChangeEventStatus([HttpTrigger(AuthorizationLevel.Function, "post", Route = "events/{id}/status")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => events.SetStatusAsync(api, api.Route("id"), ct));

    [Function("GetEventById")]
    public Task<HttpResponseData> GetEventById([HttpTrigger(AuthorizationLevel.Function, "get", Route = "event")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, events.GetByQueryAsync);

    [Function("ChangeEventStatusById")]
    public Task<HttpResponseData> ChangeEventStatusById([HttpTrigger(AuthorizationLevel.Function, "post", Route = "event/status")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, events.SetStatusByQueryAsync);

    [Function("ListPoison")]
    public Task<HttpResponseData> ListPoison([HttpTrigger(AuthorizationLevel.Function, "get", Route = "poison")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, poison.ListAsync);

    [Function("GetPoison")]
    public Task<HttpResponseData> GetPoison([HttpTrigger(AuthorizationLevel.Function, "get", Route = "poison/{id}")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => poison.GetAsync(api.Route("id"), ct));

    [Function("ShowApproval")]
    public Task<HttpResponseData> ShowApproval([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "approvals/{token}")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => approvals.ShowAsync(api, api.Route("token"), ct));

    [Function("DecideApproval")]
    public Task<HttpResponseData> DecideApproval([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "approvals/{token}")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (api, ct) => approvals.DecideAsync(api, api.Route("token"), ct));

    [Function("ListPlaybooks")]
    public Task<HttpResponseData> ListPlaybooks([HttpTrigger(AuthorizationLevel.Function, "get", Route = "playbooks")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (_, ct) => playbooks.ListAsync(ct));

    [Function("Health")]
    public Task<HttpResponseData> Health([HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequestData request, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        HandleAsync(request, client, context, (_, ct) => health.CheckAsync(ct));

    private async Task<HttpResponseData> HandleAsync(HttpRequestData request, DurableTaskClient client, FunctionContext context, Func<ApiRequest, CancellationToken, Task<ApiResponse>> handler)
    {
        durable.Client = client;
        var route = context.BindingContext.BindingData
            .Where(pair => pair.Value is string)
            .ToDictionary(pair => pair.Key, pair => (string)pair.Value!, StringComparer.OrdinalIgnoreCase);
        var api = await HttpDataAdapter.ToApiRequestAsync(request, route, options.Value, context.CancellationToken);
        var response = await failures.GuardAsync(context.FunctionDefinition.Name, () => handler(api, context.CancellationToken), context.CancellationToken);
        return await HttpDataAdapter.ToResponseAsync(request, response);
    }
}
