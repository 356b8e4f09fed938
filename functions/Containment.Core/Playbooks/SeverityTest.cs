using Containment.Alerts;

namespace Containment.Playbooks;

/// <summary>A test on the alert's severity, which also orders: at least, at most.</summary>
public sealed record SeverityTest : ValueTest<Severity?>
{
    public Severity? AtLeast { get; init; }

    public Severity? AtMost { get; init; }

    public override bool Matches(Severity? value) =>
        base.Matches(value)
        && (AtLeast is null || value >= AtLeast)
        && (AtMost is null || value <= AtMost);
}
