namespace Containment.Playbooks;

/// <summary>Cuts the alert's pod off the network (relabel + deny-all policies).</summary>
public sealed record IsolateStep : Step
{
    public const string TypeName = "isolate";

    /// <summary>Mark the security event Processed once isolated. Malware playbooks turn this off: isolation does not remove malware.</summary>
    public bool MarkEventProcessed { get; init; } = true;

    /// <summary>Accept an isolation that applied with warnings (another policy may still allow traffic) instead of failing the step.</summary>
    public bool AllowPartial { get; init; }
}
