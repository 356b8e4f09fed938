using System.Text.Json;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Playbooks;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;
using Containment.Runs.Machine;
using Containment.Tests.Support;

namespace Containment.Tests.Runs;

/// <summary>
/// Drives <see cref="PlaybookMachine"/> the way a driver would, with no storage: each call feeds one input
/// and keeps the state. After every step the state goes through JSON, so every test also proves that a
/// run can stop and go on from its stored state.
/// </summary>
internal sealed class MachineDriver(Playbook playbook)
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    public RunState? State { get; private set; }

    public RunCommand Command { get; private set; } = RunCommand.None;

    public DateTimeOffset Now { get; private set; } = Start;

    public static MachineDriver ForShipped(string name) => new(Shipped(name));

    public static Playbook Shipped(string name)
    {
        var path = RepositoryRoot.Combine("playbooks", name + ".json");
        return PlaybookParser.Parse(path, File.ReadAllText(path), PlaybookValidationContext.None).Playbook!;
    }

    public static Playbook FromSteps(string steps, string extra = "") =>
        PlaybookParser.Parse("test.json", $$"""{ "name": "test", "trigger": {}, "steps": {{steps}}{{extra}} }""", PlaybookValidationContext.None) is { IsValid: true } result
            ? result.Playbook!
            : throw new InvalidOperationException("test playbook invalid");

    public static Alert Alert(AlertCategory category = AlertCategory.ReverseShell) => new()
    {
        Id = "alert-1",
        Source = "falco",
        Category = category,
        Severity = Severity.High,
        Time = Start,
        Target = new AlertTarget { Cluster = "prod", Namespace = "payments", Pod = "api-7d9f", Node = "aks-node-1" },
    };

    public RunCommand Begin(Alert? alert = null) => Feed(new RunStarted(Now, "prod~payments~api-7d9f", alert ?? Alert()));

    public RunActivities ExpectActivities(params string[] names)
    {
        var run = Assert.IsType<RunActivities>(Command);
        Assert.Equal(names, run.Calls.Select(call => call.ActivityName));
        return run;
    }

    /// <summary>Completes every call of the current RunActivities command.</summary>
    public RunCommand CompleteAll(object? output = null)
    {
        var run = Assert.IsType<RunActivities>(Command);
        foreach (var call in run.Calls)
        {
            Feed(new ActivityCompleted(Now, call.CallId, output is null ? null : JsonSerializer.SerializeToElement(output)));
        }

        return Command;
    }

    public RunCommand FailAll(string reason)
    {
        var run = Assert.IsType<RunActivities>(Command);
        foreach (var call in run.Calls)
        {
            Feed(new ActivityFailed(Now, call.CallId, reason));
        }

        return Command;
    }

    public RunCommand Decide(ApprovalVerdict verdict, string by = "ana@contoso.com", string? comment = null)
    {
        var wait = Assert.IsType<WaitFor>(Command);
        Now += TimeSpan.FromMinutes(5);
        return Feed(new EventReceived(Now, wait.EventName!, Decision(verdict, by, Now, comment)));
    }

    /// <summary>An approval decision as the approvals API raises it to a run.</summary>
    public static JsonElement Decision(ApprovalVerdict verdict, string by = "ana@contoso.com", DateTimeOffset? at = null, string? comment = null) =>
        JsonSerializer.SerializeToElement(new ApprovalDecision(verdict, by, at ?? Start, comment), ContainmentJson.Options);

    public RunCommand FireTimer()
    {
        var wait = Assert.IsType<WaitFor>(Command);
        Now = wait.Deadline;
        return Feed(new TimerFired(Now, wait.TimerId));
    }

    public RunCommand Feed(RunInput input)
    {
        var (state, command) = PlaybookMachine.Next(playbook, State, input);
        var json = JsonSerializer.Serialize(state, ContainmentJson.Options);
        State = JsonSerializer.Deserialize<RunState>(json, ContainmentJson.Options);
        Assert.Equal(json, JsonSerializer.Serialize(State, ContainmentJson.Options));
        Command = command;
        return command;
    }

    public RunOutcome ExpectFinished()
    {
        var finish = Assert.IsType<FinishRun>(Command);
        Assert.Equal(RunPhase.Finished, State!.Phase);
        return finish.Outcome;
    }

    public StepOutcome OutcomeOf(string stepId) => State!.History.Last(record => record.StepId == stepId).Outcome;
}
