namespace Containment.Playbooks;

/// <summary>Gives the pod back exactly: removes the quarantine policies and restores its saved labels.</summary>
public sealed record ReleaseStep : Step
{
    public const string TypeName = "release";

    public string? Reason { get; init; }
}
