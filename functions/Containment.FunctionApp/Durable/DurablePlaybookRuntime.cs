using System.Text.Json;
using Containment.Alerts;
using Containment.Playbooks;
using Containment.Runs;
using Containment.Runs.Machine;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Containment.FunctionApp.Durable;

/// <summary><see cref="IPlaybookRuntime"/> over Durable Functions: one orchestration instance per pod's run.</summary>
public sealed class DurablePlaybookRuntime(DurableClientAccessor accessor) : IPlaybookRuntime
{
    public async Task<RunStartResult> StartAsync(string instanceId, Playbook playbook, Alert alert, CancellationToken cancellationToken)
    {
        var client = accessor.Client;
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        if (Joinable(instance) is { } running)
        {
            return running;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(PlaybookOrchestrator),
                new RunStart(playbook, alert with { Raw = null }, instance?.ReadCustomStatusAs<RunStatusDocument>()?.StartedAt),
                new StartOrchestrationOptions(instanceId),
                cancellationToken);
            return new RunStartResult(RunStartOutcome.Started, instanceId, playbook.Name);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // host.json refuses a second start of a live instance (overridableExistingInstanceStates): another
            // delivery started it between the check and the schedule, so join it. Anything else is a real failure.
            if (await JoinableAsync(client, instanceId, cancellationToken) is { } joined)
            {
                return joined;
            }

            throw;
        }
    }

    public async Task<RaiseEventResult> RaiseEventAsync(string instanceId, string eventName, JsonElement payload, CancellationToken cancellationToken)
    {
        var client = accessor.Client;
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (instance is null)
        {
            return RaiseEventResult.NoSuchRun;
        }

        if (instance.IsCompleted)
        {
            return RaiseEventResult.RunFinished;
        }

        // Durable keeps an event until the orchestration waits for it, also while it is pending or suspended.
        await client.RaiseEventAsync(instanceId, eventName, payload, cancellationToken);
        return RaiseEventResult.Accepted;
    }

    public async Task<RunStatusDocument?> GetStatusAsync(string instanceId, CancellationToken cancellationToken)
    {
        var instance = await accessor.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        var document = instance?.ReadCustomStatusAs<RunStatusDocument>();
        if (instance is null || document is null)
        {
            return null;
        }

        return instance.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Terminated => document with { Phase = RunPhase.Finished, Outcome = new RunOutcome(RunResult.Terminated, instance.ReadOutputAs<string>()) },
            OrchestrationRuntimeStatus.Completed => document with { Phase = RunPhase.Finished, Outcome = instance.ReadOutputAs<RunOutcome>() },
            OrchestrationRuntimeStatus.Failed => document with { Phase = RunPhase.Finished, Outcome = new RunOutcome(RunResult.Failed, instance.FailureDetails?.ErrorMessage) },
            _ => document,
        };
    }

    // Durable keeps no run state in this worker's memory: the instance is read, as for a status.
    public async ValueTask<RunProgress?> GetProgressAsync(string instanceId, CancellationToken cancellationToken) =>
        await GetStatusAsync(instanceId, cancellationToken) is { } status ? RunProgress.Of(status) : null;

    public Task<bool> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken) =>
        EndAsync(instanceId, reason, onlyPlaybook: null, cancellationToken);

    // Durable has no conditional terminate: the playbook is checked just before, and a run started between the
    // two by another caller is ended too; that caller's start then joins or starts the run again, which acts once.
    public Task<bool> TerminateIfRunningAsync(string instanceId, string playbook, string reason, CancellationToken cancellationToken) =>
        EndAsync(instanceId, reason, playbook, cancellationToken);

    private async Task<bool> EndAsync(string instanceId, string reason, string? onlyPlaybook, CancellationToken cancellationToken)
    {
        var client = accessor.Client;
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: onlyPlaybook is not null, cancellationToken);
        if (instance is null || instance.IsCompleted || (onlyPlaybook is not null && PlaybookOf(instance) != onlyPlaybook))
        {
            return false;
        }

        await client.TerminateInstanceAsync(instanceId, output: reason, cancellation: cancellationToken);
        await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        return true;
    }

    private static async Task<RunStartResult?> JoinableAsync(DurableTaskClient client, string instanceId, CancellationToken cancellationToken) =>
        Joinable(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken));

    // Pending (scheduled, not yet picked up) and Suspended runs are unfinished too: a start joins them.
    private static RunStartResult? Joinable(OrchestrationMetadata? instance) =>
        instance is null || instance.IsCompleted ? null : new RunStartResult(RunStartOutcome.Joined, instance.InstanceId, PlaybookOf(instance));

    private static string PlaybookOf(OrchestrationMetadata instance) =>
        instance.ReadCustomStatusAs<RunStatusDocument>()?.Playbook ?? instance.ReadInputAs<RunStart>()?.Playbook.Name ?? "unknown";
}
