using System.Text.Json;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Playbooks;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using static Containment.Tests.Runs.ShippedPlaybookNames;

namespace Containment.Tests.Runs;

/// <summary>
/// A run's state as its row keeps it: the alert once, however many calls the step makes, and every call read back as
/// it was made.
/// </summary>
public sealed class RunStateJsonTests
{
    private static readonly string[] ShippedPlaybooks =
        ["confirm-suspicious-activity", Escape, "isolate-mining-lateral-movement", "malware", "manual-isolate", "manual-release", "notify-only"];

    [Fact]
    public void LongestAlert_NotifyToManyChannels_StoredWithTheAlertOnce()
    {
        var alert = RunAlerts.LongestAdmitted();
        var (twoChannels, _) = AtNotify(RunAlerts.NotifyTo(2), alert);
        var (twentyChannels, _) = AtNotify(RunAlerts.NotifyTo(20), alert);

        var two = RunStateJson.Write(twoChannels);
        var twenty = RunStateJson.Write(twentyChannels);

        Assert.Equal(20, twentyChannels.Pending.Count);
        Assert.Equal(1, Occurrences(twenty, alert.Description!));
        Assert.InRange(twenty.Length, alert.Description!.Length, TableJson.MaxCharacters);

        // What each further call adds is its own: ids, channel, times; not the alert, nor the step with its channels.
        Assert.InRange((twenty.Length - two.Length) / 18, 1, 600);
    }

    [Fact]
    public void ReadBack_EveryPendingCallIsTheCallAsMade_ItsAlertAndStepIncluded()
    {
        var playbook = RunAlerts.NotifyTo(3);
        var (state, calls) = AtNotify(playbook, RunAlerts.LongestAdmitted() with { Raw = null });

        var read = RunStateJson.Read(RunStateJson.Write(state), playbook);

        Assert.Equal(calls.Select(AsJson), read.Pending.Select(pending => AsJson(pending.Call)));
        Assert.All(read.Pending, pending => Assert.Same(read.Alert, pending.Call.Request.Alert));
        Assert.Equal(RunStateJson.Write(state), RunStateJson.Write(read));
    }

    [Fact]
    public void StateStoredWithTheAlertInEveryCall_ReadsTheSame()
    {
        var playbook = RunAlerts.NotifyTo(2);
        var (state, calls) = AtNotify(playbook, MachineDriver.Alert());
        var asStoredBefore = JsonSerializer.Serialize(state, ContainmentJson.Options);
        Assert.Contains("\"alert\"", JsonSerializer.Serialize(state.Pending[0], ContainmentJson.Options), StringComparison.Ordinal);

        var read = RunStateJson.Read(asStoredBefore, playbook);

        Assert.Equal(calls.Select(AsJson), read.Pending.Select(pending => AsJson(pending.Call)));
        Assert.All(read.Pending, pending => Assert.Same(read.Alert, pending.Call.Request.Alert));
    }

    [Fact]
    public void LongestAlertAdmissionAccepts_EveryStateOfEveryShippedPlaybookFitsItsRow()
    {
        var alert = RunAlerts.LongestAdmitted();
        var largest = 0;
        foreach (var name in ShippedPlaybooks)
        {
            var playbook = MachineDriver.Shipped(name);
            largest = Math.Max(largest, LargestState(playbook, PlaybookMachine.Next(playbook, null, new RunStarted(MachineDriver.Start, "prod~payments~api-7d9f", alert))));
        }

        Assert.InRange(largest, alert.Description!.Length, TableJson.MaxCharacters);
    }

    /// <summary>
    /// The longest state JSON on every path through the playbook: each step's calls all succeed (with an output as
    /// long as an isolation's with warnings) or all fail, and each approval is approved, rejected (with the longest
    /// comment) or times out.
    /// </summary>
    private static int LargestState(Playbook playbook, (RunState State, RunCommand Command) at)
    {
        var (state, command) = at;
        var size = RunStateJson.Write(state).Length;
        IEnumerable<RunInput> next = command switch
        {
            RunActivities activities =>
            [
                .. activities.Calls.Select(call => new ActivityCompleted(MachineDriver.Start, call.CallId, JsonSerializer.SerializeToElement(new { output = new string('o', 4_000) }))),
                .. activities.Calls.Select(call => new ActivityFailed(MachineDriver.Start, call.CallId, new string('f', 1_000))),
            ],
            WaitFor { EventName: { } name } wait =>
            [
                new EventReceived(MachineDriver.Start, name, MachineDriver.Decision(ApprovalVerdict.Approved, comment: new string('c', ApprovalForm.MaxCommentLength))),
                new EventReceived(MachineDriver.Start, name, MachineDriver.Decision(ApprovalVerdict.Rejected, comment: new string('c', ApprovalForm.MaxCommentLength))),
                new TimerFired(wait.Deadline, wait.TimerId),
            ],
            WaitFor wait => [new TimerFired(wait.Deadline, wait.TimerId)],
            _ => [],
        };
        if (command is RunActivities)
        {
            // Feed every call's success, or every call's failure: two paths, not one per mix.
            var inputs = next.ToList();
            var half = inputs.Count / 2;
            return Math.Max(size, Math.Max(LargestAfter(playbook, state, inputs[..half]), LargestAfter(playbook, state, inputs[half..])));
        }

        return next.Select(input => LargestAfter(playbook, state, [input])).Append(size).Max();
    }

    private static int LargestAfter(Playbook playbook, RunState state, IReadOnlyList<RunInput> inputs)
    {
        var largest = 0;
        (RunState State, RunCommand Command) at = (state, RunCommand.None);
        foreach (var input in inputs)
        {
            at = PlaybookMachine.Next(playbook, at.State, input);
            largest = Math.Max(largest, RunStateJson.Write(at.State).Length);
        }

        return Math.Max(largest, LargestState(playbook, at));
    }

    /// <summary>The run at its notify step, with the calls the machine made.</summary>
    private static (RunState State, IReadOnlyList<ActivityCall> Calls) AtNotify(Playbook playbook, Alert alert)
    {
        var (state, command) = PlaybookMachine.Next(playbook, null, new RunStarted(MachineDriver.Start, "prod~payments~api-7d9f", alert));
        return (state, Assert.IsType<RunActivities>(command).Calls);
    }

    private static string AsJson(ActivityCall call) => JsonSerializer.Serialize(call, ContainmentJson.Options);

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
