using Containment.Runs;

namespace Containment.Api;

/// <summary><c>GET /api/runs/{instanceId}</c>: a run's playbook, step, state and history.</summary>
public sealed class RunsApi(IPlaybookRuntime runtime)
{
    public async Task<ApiResponse> GetAsync(string instanceId, CancellationToken cancellationToken) =>
        await runtime.GetStatusAsync(instanceId, cancellationToken) is { } status
            ? ApiResponse.Json(200, status)
            : ApiResponse.Error(404, $"no run '{instanceId}'");
}
