using Containment.Clusters;
using Containment.Isolation.Actions.CordonNode;
using Containment.Isolation.Actions.DeletePod;
using Containment.Isolation.Actions.Quarantine;
using Containment.Isolation.Actions.Release;
using Containment.Isolation.Actions.UncordonNode;

namespace Containment.Isolation;

/// <summary>What one action declares (<see cref="IContainmentAction"/>), readable without building the action.</summary>
public sealed record ContainmentActionDeclaration(string StepType, IReadOnlyList<string> Checks, IReadOnlyList<KubernetesPermission> Needed);

/// <summary>The actions that carry out the playbook steps acting on a cluster.</summary>
public static class ContainmentActions
{
    public static IReadOnlyList<ContainmentActionDeclaration> All { get; } =
    [
        Of<QuarantinePod>(),
        Of<ReleasePod>(),
        Of<DeletePod>(),
        Of<CordonNode>(),
        Of<UncordonNode>(),
    ];

    /// <summary>The declaration of the action that carries out <paramref name="stepType"/>; null for a step that acts on no cluster.</summary>
    public static ContainmentActionDeclaration? For(string stepType) =>
        All.FirstOrDefault(action => string.Equals(action.StepType, stepType, StringComparison.Ordinal));

    private static ContainmentActionDeclaration Of<TAction>()
        where TAction : IContainmentAction => new(TAction.StepType, TAction.Checks, TAction.Needed);
}
