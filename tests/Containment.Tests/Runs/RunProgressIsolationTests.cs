using Containment.Playbooks;
using Containment.Runs;
using Containment.Runs.Machine;

namespace Containment.Tests.Runs;

/// <summary>
/// <see cref="RunProgress.IsolatedAt"/>: whether a run holds its pod isolated, read from its history. Admission stores an
/// alert for such a pod processed, so anything that may have given the pod back must clear it.
/// </summary>
public sealed class RunProgressIsolationTests
{
    private static readonly DateTimeOffset Isolated = MachineDriver.Start.AddSeconds(1);

    [Fact]
    public void IsolationSucceeded_IsolatedSinceItEnded()
    {
        var progress = RunProgress.Of(StateWith(Step(IsolateStep.TypeName, StepOutcome.Succeeded), Step(NotifyStep.TypeName, StepOutcome.Succeeded), Step(ApprovalStep.TypeName, StepOutcome.Waiting)));

        Assert.Equal(Isolated, progress.IsolatedAt);
    }

    [Fact]
    public void ReleaseSkippedAfterTheIsolation_StillIsolated()
    {
        var progress = RunProgress.Of(StateWith(Step(IsolateStep.TypeName, StepOutcome.Succeeded), Step(ReleaseStep.TypeName, StepOutcome.Skipped)));

        Assert.Equal(Isolated, progress.IsolatedAt);
    }

    [Theory]
    [InlineData(StepOutcome.Running)]
    [InlineData(StepOutcome.Failed)]
    [InlineData(StepOutcome.FailedContinued)]
    public void IsolationNotSucceeded_NotIsolated(StepOutcome outcome)
    {
        var progress = RunProgress.Of(StateWith(Step(IsolateStep.TypeName, outcome)));

        Assert.Null(progress.IsolatedAt);
    }

    [Theory]
    [InlineData(ReleaseStep.TypeName, StepOutcome.Running)]
    [InlineData(ReleaseStep.TypeName, StepOutcome.Succeeded)]
    [InlineData(ReleaseStep.TypeName, StepOutcome.Failed)]
    [InlineData(DeletePodStep.TypeName, StepOutcome.Running)]
    public void ReleaseOrDeletionBegunSinceTheIsolation_NotIsolated(string type, StepOutcome outcome)
    {
        var progress = RunProgress.Of(StateWith(Step(IsolateStep.TypeName, StepOutcome.Succeeded), Step(NotifyStep.TypeName, StepOutcome.Succeeded), Step(type, outcome)));

        Assert.Null(progress.IsolatedAt);
    }

    [Fact]
    public void NoIsolationYet_NotIsolated()
    {
        var progress = RunProgress.Of(StateWith(Step(ApprovalStep.TypeName, StepOutcome.Waiting)));

        Assert.Null(progress.IsolatedAt);
    }

    private static RunState StateWith(params StepRecord[] history) => new()
    {
        InstanceId = "prod~payments~api-7d9f",
        Playbook = "isolate-escape-reverse-shell",
        Alert = MachineDriver.Alert(),
        Phase = RunPhase.Waiting,
        History = history,
        StartedAt = MachineDriver.Start,
        UpdatedAt = Isolated,
    };

    private static StepRecord Step(string type, StepOutcome outcome) => new()
    {
        StepId = type + "-step",
        Type = type,
        Outcome = outcome,
        StartedAt = MachineDriver.Start,
        EndedAt = outcome is StepOutcome.Running or StepOutcome.Waiting ? null : Isolated,
    };
}
