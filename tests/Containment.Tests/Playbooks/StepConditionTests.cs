using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.Tests.Playbooks;

public sealed class StepConditionTests
{
    private static readonly Alert Alert = new()
    {
        Id = "a-1",
        Source = "falco",
        Category = AlertCategory.ReverseShell,
        Severity = Severity.Medium,
        Time = DateTimeOffset.UnixEpoch,
        Target = new AlertTarget { Cluster = "prod-weu", Namespace = "Payments", Pod = "api-7d9f" },
    };

    [Fact]
    public void Matches_AllTestsHold_IsTrue()
    {
        var condition = new StepCondition
        {
            Category = new ValueTest<AlertCategory?> { In = [AlertCategory.ReverseShell, AlertCategory.ContainerEscape] },
            Severity = new SeverityTest { AtLeast = Severity.Low, AtMost = Severity.High },
            Namespace = new ValueTest<string> { Is = "payments" },
            Cluster = new ValueTest<string> { NotIn = ["dev"] },
        };

        Assert.True(condition.Matches(Alert));
    }

    [Fact]
    public void Matches_OneTestFails_IsFalse()
    {
        var condition = new StepCondition
        {
            Category = new ValueTest<AlertCategory?> { Is = AlertCategory.ReverseShell },
            Severity = new SeverityTest { AtLeast = Severity.High },
        };

        Assert.False(condition.Matches(Alert));
    }

    [Fact]
    public void Matches_IsTestOnMissingField_IsFalse()
    {
        Assert.False(new StepCondition { Container = new ValueTest<string> { Is = "app" } }.Matches(Alert));
        Assert.True(new StepCondition { Container = new ValueTest<string> { IsNot = "app" } }.Matches(Alert));
    }
}
