using Containment.Isolation.Drift;
using Microsoft.Azure.Functions.Worker;

namespace Containment.FunctionApp.Drift;

/// <summary>
/// The drift watch on the schedule in the app setting <c>ContainmentDriftSchedule</c> (NCRONTAB, six fields). The
/// timer runs on one instance at a time however far the app scales out; a round missed while the app was down runs
/// late (<see cref="TimerInfo.IsPastDue"/>), which changes nothing here.
/// </summary>
public sealed class DriftWatchFunction(DriftWatch watch)
{
    [Function("DriftWatch")]
    public Task Run([TimerTrigger("%" + DriftOptions.FunctionsScheduleSetting + "%")] TimerInfo timer, FunctionContext context) =>
        watch.RunAsync(context.CancellationToken);
}
