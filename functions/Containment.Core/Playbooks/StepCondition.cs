using Containment.Alerts;

namespace Containment.Playbooks;

/// <summary>
/// A step's <c>when</c>: tests on alert fields, all of which must hold for the step to run.
/// A step whose condition fails is skipped, and the run goes on with the next step.
/// </summary>
public sealed record StepCondition
{
    public ValueTest<AlertCategory?>? Category { get; init; }

    public SeverityTest? Severity { get; init; }

    public ValueTest<string>? Source { get; init; }

    public ValueTest<string>? Cluster { get; init; }

    public ValueTest<string>? Namespace { get; init; }

    public ValueTest<string>? Pod { get; init; }

    public ValueTest<string>? Container { get; init; }

    public ValueTest<string>? Image { get; init; }

    public ValueTest<string>? Node { get; init; }

    public bool Matches(Alert alert) =>
        (Category?.Matches(alert.Category) ?? true)
        && (Severity?.Matches(alert.Severity) ?? true)
        && (Source?.Matches(alert.Source) ?? true)
        && (Cluster?.Matches(alert.Target.Cluster) ?? true)
        && (Namespace?.Matches(alert.Target.Namespace) ?? true)
        && (Pod?.Matches(alert.Target.Pod) ?? true)
        && (Container?.Matches(alert.Target.Container) ?? true)
        && (Image?.Matches(alert.Target.Image) ?? true)
        && (Node?.Matches(alert.Target.Node) ?? true);
}
