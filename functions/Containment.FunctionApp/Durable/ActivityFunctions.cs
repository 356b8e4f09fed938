using Containment.Activities;
using Containment.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Containment.FunctionApp.Durable;

/// <summary>
/// One activity function per Core activity, each named as the activity. Every result, failed or not, is returned,
/// an activity that threw included (<see cref="TracedActivity"/>): the orchestrator retries a retryable failure
/// itself, telling each try its attempt number.
/// </summary>
public sealed class ActivityFunctions(IEnumerable<IRunActivity> activities, ILogger<ActivityFunctions> logger)
{
    private readonly Dictionary<string, IRunActivity> byName = activities.ToDictionary(activity => activity.Name, StringComparer.Ordinal);

    [Function(ActivityNames.IsolatePod)]
    public Task<ActivityResult> IsolatePod([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.IsolatePod, request, context);

    [Function(ActivityNames.ReleasePod)]
    public Task<ActivityResult> ReleasePod([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.ReleasePod, request, context);

    [Function(ActivityNames.RequestApproval)]
    public Task<ActivityResult> RequestApproval([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.RequestApproval, request, context);

    [Function(ActivityNames.Notify)]
    public Task<ActivityResult> Notify([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.Notify, request, context);

    [Function(ActivityNames.SetEventStatus)]
    public Task<ActivityResult> SetEventStatus([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.SetEventStatus, request, context);

    [Function(ActivityNames.DeletePod)]
    public Task<ActivityResult> DeletePod([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.DeletePod, request, context);

    [Function(ActivityNames.CordonNode)]
    public Task<ActivityResult> CordonNode([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.CordonNode, request, context);

    [Function(ActivityNames.UncordonNode)]
    public Task<ActivityResult> UncordonNode([ActivityTrigger] ActivityRequest request, FunctionContext context) => RunAsync(ActivityNames.UncordonNode, request, context);

    private Task<ActivityResult> RunAsync(string name, ActivityRequest request, FunctionContext context) =>
        TracedActivity.RunAsync(byName[name], request, logger, context.CancellationToken);
}
