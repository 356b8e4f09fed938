namespace Containment.Playbooks;

/// <summary>Marks the pod's node unschedulable: how a hostNetwork pod or a node-level escape is contained.</summary>
public sealed record CordonNodeStep : Step
{
    public const string TypeName = "cordonNode";
}
