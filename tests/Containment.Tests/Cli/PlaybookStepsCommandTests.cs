using Containment.Local.Cli;

namespace Containment.Tests.Cli;

/// <summary><c>./containment playbooks steps</c>: the step types, their fields, and what the cluster steps check and need.</summary>
public sealed class PlaybookStepsCommandTests
{
    [Fact]
    public async Task Steps_NoType_TheFieldsEveryStepTakes_ThenEveryStepType()
    {
        var (exit, output, error) = await RunAsync("playbooks", "steps");

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.Empty(error);
        var headings = output.Split(Environment.NewLine).Where(line => line.Length > 0 && !line.StartsWith(' ')).ToList();
        Assert.Equal(
            ["every step", "isolate", "release", "approval", "notify", "wait", "setEventStatus", "deletePod", "cordonNode", "uncordonNode"],
            headings.Select(heading => heading.Split(':')[0]));
        Assert.Matches(@"(?m)^  id +stepId +required +Unique in the playbook", output);
    }

    [Fact]
    public async Task Steps_AClusterStep_ItsFieldsChecksAndPermissions_Alone()
    {
        var (exit, output, _) = await RunAsync("playbooks", "steps", "deletePod");

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.StartsWith("deletePod: Delete the pod;", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  gracePeriod +duration +How long the pod has to stop, in whole seconds", output);
        Assert.Contains($"  on the cluster it makes sure that:{Environment.NewLine}    - the namespace is not protected{Environment.NewLine}", output, StringComparison.Ordinal);
        Assert.EndsWith($"  it needs: get,delete pods{Environment.NewLine}", output, StringComparison.Ordinal);
        Assert.Single(output.Split(Environment.NewLine), line => line.Length > 0 && !line.StartsWith(' '));
    }

    [Fact]
    public async Task Steps_AStepThatActsOnNoCluster_ValuesItTakes_NoChecks()
    {
        var (_, output, _) = await RunAsync("playbooks", "steps", "setEventStatus");

        Assert.Matches(@"(?m)^  status +string +required +The status the run's security event is given\. One of: processed, unprocessed, ignored\.$", output);
        Assert.DoesNotContain("it needs", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steps_UnknownType_IsAUsageErrorNamingTheTypes_AndPrintsNothing()
    {
        var (exit, output, error) = await RunAsync("playbooks", "steps", "isolate", "isolatePod");

        Assert.Equal(ContainmentCli.Usage, exit);
        Assert.Empty(output);
        Assert.Equal(
            "'isolatePod' is not a step type (step types: isolate, release, approval, notify, wait, setEventStatus, deletePod, cordonNode, uncordonNode)",
            error.Trim());
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);
}
