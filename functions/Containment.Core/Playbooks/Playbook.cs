namespace Containment.Playbooks;

/// <summary>A playbook: which alerts it takes, and the steps a run takes for each.</summary>
public sealed record Playbook
{
    /// <summary>Unique name; also the run's playbook reference. Lowercase letters, digits and dashes.</summary>
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>A disabled playbook loads and validates but takes no alerts.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>When several playbooks take an alert, the highest priority wins; equal priorities on overlapping triggers are a load error.</summary>
    public int Priority { get; init; }

    public required PlaybookTrigger Trigger { get; init; }

    public required IReadOnlyList<Step> Steps { get; init; }

    /// <summary>Steps to run when a step fails; without them a failed step fails the run.</summary>
    public IReadOnlyList<Step>? OnFailure { get; init; }
}
