namespace Containment.Playbooks;

/// <summary>Gives back the node a <c>cordonNode</c> step cordoned for the pod, once no other pod's hold keeps it cordoned.</summary>
public sealed record UncordonNodeStep : Step
{
    public const string TypeName = "uncordonNode";
}
