using Containment.Activities;
using Containment.Playbooks;
using Containment.Runs;
using Containment.Runs.Machine;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

#pragma warning disable CA1849 // CancellationTokenSource.Cancel is deliberate here, see WaitAsync

namespace Containment.FunctionApp.Durable;

/// <summary>
/// Drives <see cref="PlaybookMachine"/> with Durable Functions: activities through CallActivityAsync (retried
/// by <see cref="ActivityAttempts"/> with durable timers between tries), waits as an event raced against a durable timer with the loser
/// cancelled. It holds no playbook logic; the machine is deterministic, so replays are safe.
/// </summary>
public static class PlaybookOrchestrator
{
    // The input is bound as a parameter rather than read with context.GetInput<T>(): in the isolated worker
    // GetInput<T> deserializes with the worker's global JsonSerializerOptions, not the
    // WorkerOptions.Serializer set in Program.cs (azure-functions-durable-extension #2851), and would lose
    // the product's enum and duration converters.
    [Function(nameof(PlaybookOrchestrator))]
    public static async Task<RunOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context, RunStart? start)
    {
        if (start is null)
        {
            throw new InvalidOperationException("a run starts with a playbook and an alert");
        }

        var playbook = start.Playbook;
        // Runs of a pod are told apart by their starts (the isolation's fences): this one starts after the run it
        // replaces, whatever the clock of the worker that started that one said. The input is fixed, so replays agree.
        var startedAt = start.Replaces is { } replaced && replaced >= Now(context) ? replaced.AddTicks(1) : Now(context);
        var (state, command) = PlaybookMachine.Next(playbook, null, new RunStarted(startedAt, context.InstanceId, start.Alert));
        while (true)
        {
            // Outputs stay out of the custom status, which holds at most 16 KB.
            context.SetCustomStatus(RunStatusDocument.From(state) with { History = state.History.Select(step => step with { Outputs = null }).ToList() });
            switch (command)
            {
                case RunActivities activities:
                    var inputs = await Task.WhenAll(activities.Calls.Select(call => CallAsync(context, call)));
                    foreach (var input in inputs)
                    {
                        (state, command) = PlaybookMachine.Next(playbook, state, input);
                    }

                    break;

                case WaitFor wait:
                    (state, command) = PlaybookMachine.Next(playbook, state, await WaitAsync(context, wait));
                    break;

                case FinishRun finish:
                    return finish.Outcome;

                default:
                    throw new InvalidOperationException($"run {context.InstanceId} stopped without a command in phase {state.Phase}");
            }
        }
    }

    // Retries are the orchestrator's own (a durable timer between tries) rather than Durable's retry policy,
    // so each try's request carries its attempt number: an activity tells a failure that will be retried
    // from the step's last one, and the ledger does not say Failed while a retry is due.
    private static async Task<RunInput> CallAsync(TaskOrchestrationContext context, ActivityCall call)
    {
        var result = await ActivityAttempts.RunAsync(
            call.Request,
            call.Retry,
            async request =>
            {
                try
                {
                    return await context.CallActivityAsync<ActivityResult>(call.ActivityName, request);
                }
                catch (TaskFailedException exception)
                {
                    // The activity threw: that says nothing about the world, so another try may help.
                    return ActivityResult.Failure(exception.FailureDetails.ErrorMessage, retryable: true);
                }
            },
            delay => context.CreateTimer(delay, CancellationToken.None));
        return result.Succeeded
            ? new ActivityCompleted(Now(context), call.CallId, result.Output)
            : new ActivityFailed(Now(context), call.CallId, result.Reason ?? "failed");
    }

    private static async Task<RunInput> WaitAsync(TaskOrchestrationContext context, WaitFor wait)
    {
        using var timerCancellation = new CancellationTokenSource();
        var timer = context.CreateTimer(wait.Deadline.UtcDateTime, timerCancellation.Token);
        if (wait.EventName is null)
        {
            await timer;
            return new TimerFired(Now(context), wait.TimerId);
        }

        // One event name per wait: a cancelled wait can still take a later event of its name. Cancel() rather
        // than CancelAsync(): orchestrator code must stay on the orchestration's own thread.
        using var eventCancellation = new CancellationTokenSource();
        var decision = context.WaitForExternalEvent<System.Text.Json.JsonElement>(wait.EventName, eventCancellation.Token);
        if (await Task.WhenAny(decision, timer) == decision)
        {
            timerCancellation.Cancel();
            return new EventReceived(Now(context), wait.EventName, await decision);
        }

        eventCancellation.Cancel();
        return new TimerFired(Now(context), wait.TimerId);
    }

    private static DateTimeOffset Now(TaskOrchestrationContext context) => new(context.CurrentUtcDateTime, TimeSpan.Zero);
}
