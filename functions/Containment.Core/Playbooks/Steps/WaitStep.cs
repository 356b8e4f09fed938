namespace Containment.Playbooks;

/// <summary>Waits for a while on a durable timer (survives restarts).</summary>
public sealed record WaitStep : Step
{
    public const string TypeName = "wait";

    public required TimeSpan Duration { get; init; }
}
