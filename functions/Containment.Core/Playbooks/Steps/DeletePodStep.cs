namespace Containment.Playbooks;

/// <summary>Deletes the pod (its controller starts a clean one). Evidence on the pod is lost; isolate first to keep it.</summary>
public sealed record DeletePodStep : Step
{
    public const string TypeName = "deletePod";

    public TimeSpan? GracePeriod { get; init; }
}
