using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using Containment.Playbooks;
using Containment.Tests.Playbooks;
using k8s.Models;

namespace Containment.Tests.Isolation;

/// <summary>The actions' declarations: one per step that acts on a cluster, each saying what it checks there and needs.</summary>
public sealed class ContainmentActionsTests
{
    [Fact]
    public void All_DeclaresEveryAction_OnceEach_ByThePlaybookStepItCarriesOut()
    {
        var actions = typeof(IContainmentAction).Assembly.GetTypes()
            .Where(type => type.IsClass && type.IsAssignableTo(typeof(IContainmentAction)))
            .ToList();
        var stepTypes = StepRecords.ByType.Keys;

        Assert.Equal(actions.Count, ContainmentActions.All.Count);
        Assert.Equal(
            [IsolateStep.TypeName, ReleaseStep.TypeName, DeletePodStep.TypeName, CordonNodeStep.TypeName, UncordonNodeStep.TypeName],
            ContainmentActions.All.Select(action => action.StepType));
        Assert.All(ContainmentActions.All, action => Assert.Contains(action.StepType, stepTypes));
        Assert.All(ContainmentActions.All, action => Assert.NotEmpty(action.Checks));
        Assert.All(ContainmentActions.All, action => Assert.NotEmpty(action.Needed));
        Assert.Null(ContainmentActions.For(ApprovalStep.TypeName));
        Assert.Null(ContainmentActions.For("Isolate"));
    }

    [Fact]
    public void Needed_TheActionsDeclare_IsWhatEachStepDoes()
    {
        Assert.Equal(
            [
                "isolate: get,patch pods; get,create,update,delete ciliumnetworkpolicies.cilium.io; get,list,create,update,delete networkpolicies.networking.k8s.io",
                "release: get,patch pods; get,create,update,delete ciliumnetworkpolicies.cilium.io; get,create,update,delete networkpolicies.networking.k8s.io",
                "deletePod: get,delete pods",
                "cordonNode: get,patch nodes; get pods",
                "uncordonNode: get,list,patch nodes",
            ],
            ContainmentActions.All.Select(action => $"{action.StepType}: {string.Join("; ", ContainmentPermissions.Merge(action.Needed))}"));
    }

    /// <summary>An isolation's checks are listed in the order it makes them: the first that fails is the one it reports.</summary>
    [Fact]
    public void IsolateChecks_BeginWithThePreflight_InTheOrderItChecks()
    {
        var options = new ClusterAccessOptions();
        var unenforced = new ClusterFacts("aks-prod", "https://aks", NetworkPolicyEngine.None, EngineConfigured: true, ServesCiliumNetworkPolicies: false);
        var everythingWrong = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", Annotations = new Dictionary<string, string> { [QuarantineNames.MirrorPodAnnotation] = "x" } },
            Spec = new V1PodSpec { HostNetwork = true },
        };
        var mirrorOnly = new V1Pod { Metadata = everythingWrong.Metadata, Spec = new V1PodSpec() };

        PreflightFailureReason?[] firstFailing =
        [
            QuarantinePreflight.Check("kube-system", "p", null, unenforced, options)?.Reason,
            QuarantinePreflight.Check("shop", "p", null, unenforced, options)?.Reason,
            QuarantinePreflight.Check("shop", "p", everythingWrong, unenforced, options)?.Reason,
            QuarantinePreflight.Check("shop", "p", mirrorOnly, unenforced, options)?.Reason,
            QuarantinePreflight.Check("shop", "p", new V1Pod { Metadata = new V1ObjectMeta { Name = "p" } }, unenforced, options)?.Reason,
        ];

        Assert.Equal(
            [
                PreflightFailureReason.NamespaceProtected, PreflightFailureReason.PodNotFound, PreflightFailureReason.HostNetwork,
                PreflightFailureReason.MirrorPod, PreflightFailureReason.NetworkPolicyNotEnforced,
            ],
            firstFailing);
        string[] saidInTurn = ["namespace is not protected", "pod exists", "hostNetwork", "static (mirror) pod", "enforces NetworkPolicy"];
        Assert.Equal(saidInTurn.Length, QuarantinePreflight.Checks.Count);
        Assert.All(saidInTurn.Zip(QuarantinePreflight.Checks), said => Assert.Contains(said.First, said.Second, StringComparison.Ordinal));
        Assert.Equal(QuarantinePreflight.Checks, ContainmentActions.For(IsolateStep.TypeName)!.Checks.Take(QuarantinePreflight.Checks.Count));
    }
}
