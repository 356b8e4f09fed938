using System.Text.Json.Nodes;
using Containment.Alerts;
using Containment.Api;
using Containment.Clusters;
using Containment.Intake;
using Containment.Isolation;
using Containment.Isolation.Actions.DeletePod;
using Containment.Isolation.Drift;
using Containment.Tests.Isolation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// Everything Containment does on a cluster, as an identity holding only the role <c>./containment rbac</c> prints,
/// against a KubeSim that refuses (403) whatever RBAC does not grant: the role is enough, and a role short of it fails
/// the step naming what the identity may not do.
/// </summary>
[Collection(LeastPrivilegeHostCollection.Name)]
public sealed class LeastPrivilegeTests(LeastPrivilegeHostFixture host)
{
    private readonly ClusterView cluster = new(host);

    [Fact]
    public async Task ContainerEscape_IsolateCordonApproveReleaseUncordon_AllAllowedByTheRoleAlone()
    {
        using var flow = new FlowClient(host);
        var (pod, node) = await host.PodOnOwnNodeAsync();
        var before = await cluster.MetadataAsync(pod);

        var instanceId = await NodeCordonFlowTests.EscapeAsync(flow, pod);
        var waiting = await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) || FlowClient.Finished(status));
        var fenced = await cluster.CiliumPolicyNamesAsync();
        var cordoned = await cluster.NodeAsync(node);
        using var anonymous = host.CreateAnonymousClient();
        using var decision = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked")]));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.True(FlowClient.Waiting(waiting), waiting.ToJsonString());
        Assert.Contains(QuarantineNames.PolicyName(pod), fenced);
        Assert.True(cordoned["spec"]?["unschedulable"]?.GetValue<bool>(), cordoned.ToJsonString());
        Assert.Equal(200, (int)decision.StatusCode);
        Assert.True((string?)done["outcome"]!["result"] == "succeeded", done.ToJsonString());
        Assert.Equal(before, await cluster.MetadataAsync(pod));
        Assert.Empty(await cluster.PoliciesForAsync(pod, quarantineId: null));
        Assert.DoesNotContain(QuarantineNames.PolicyName(pod), await cluster.CiliumPolicyNamesAsync());
        Assert.Null((await cluster.NodeAsync(node))["spec"]?["unschedulable"]);
    }

    [Fact]
    public async Task DriftCheck_PodLabelRead_AndPodDelete_AllAllowedByTheRoleAlone()
    {
        using var flow = new FlowClient(host);
        var labelled = host.TakePod();
        var deleted = host.TakePod();

        var drift = await flow.GetAsync("api/drift");
        var labels = await host.Get<PodLabelsReader>().ReadAsync(
            new AlertTarget { Cluster = LocalHostFixture.Cluster, Namespace = LocalHostFixture.Namespace, Pod = labelled }, CancellationToken.None);
        var deletion = await host.Get<DeletePod>().DeleteAsync(
            new PodReference(LocalHostFixture.Cluster, LocalHostFixture.Namespace, deleted), gracePeriodSeconds: 0, runStartedAt: null, isolatedByThisRun: false, CancellationToken.None);

        var checkedCluster = Assert.Single(drift["clusters"]!.AsArray())!;
        Assert.True(checkedCluster["error"] is null, checkedCluster.ToJsonString());
        Assert.Empty(checkedCluster["missingPermissions"]!.AsArray());
        Assert.False(checkedCluster["shortOfAccess"]!.GetValue<bool>());
        Assert.Equal("victim", labels?.GetValueOrDefault("app"));
        Assert.True(deletion.Changed, deletion.Message);
        Assert.Null(await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, deleted, CancellationToken.None));
    }

    [Fact]
    public async Task RoleWithoutPodPatch_TheIsolationFailsNamingWhatTheIdentityMayNotDo_ThePodKeepsItsLabels()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await cluster.MetadataAsync(pod);
        var withoutPodPatch = Without("pods", "patch");
        await host.ApplyAsAdminAsync(ClusterRoleManifest.Yaml(ClusterRoleManifest.DefaultName, withoutPodPatch, []));
        try
        {
            var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
            var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
            var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

            Assert.Equal("failed", (string?)done["outcome"]!["result"]);
            var record = (await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!;
            Assert.Equal("failed", (string?)record["status"]);
            Assert.Contains("forbidden: the identity may not patch pods", (string?)record["failureReason"], StringComparison.Ordinal);
            Assert.Equal(before, await cluster.MetadataAsync(pod));
        }
        finally
        {
            await host.ApplyAsAdminAsync(await LeastPrivilegeHostFixture.RbacYamlAsync());
        }
    }

    [Fact]
    public async Task RoleWithoutPodPatch_TheDriftWatchSaysWhatIsMissingOnce_AndThatItIsGrantedOnceTheRoleIsWhole()
    {
        var watch = host.Get<DriftWatch>();
        await watch.RunAsync(CancellationToken.None);
        await host.ApplyAsAdminAsync(ClusterRoleManifest.Yaml(ClusterRoleManifest.DefaultName, Without("pods", "patch"), []));
        DriftWatchOutcome shortRound, againRound, changedRound, grantedRound;
        int exit;
        string printed;
        HealthCheck health;
        try
        {
            shortRound = await watch.RunAsync(CancellationToken.None);
            againRound = await watch.RunAsync(CancellationToken.None);
            (exit, printed) = await DriftCommandAsync();
            health = await ScheduledRoundHealthAsync(watch);
            await host.ApplyAsAdminAsync(ClusterRoleManifest.Yaml(ClusterRoleManifest.DefaultName, ContainmentPermissions.Merge(Without("pods", "patch").Where(p => p.Resource != "nodes")), []));
            changedRound = await watch.RunAsync(CancellationToken.None);
        }
        finally
        {
            await host.ApplyAsAdminAsync(await LeastPrivilegeHostFixture.RbacYamlAsync());
        }

        grantedRound = await watch.RunAsync(CancellationToken.None);

        var shortOf = Assert.Single(shortRound.ShortOfAccess);
        Assert.Equal(["patch pods"], shortOf.MissingPermissions!.Select(permission => permission.ToString()));
        Assert.Empty(againRound.ShortOfAccess);
        Assert.Equal(1, exit);
        Assert.Contains($"{LocalHostFixture.Cluster}: Containment may not patch pods (./containment rbac prints the role it needs)", printed, StringComparison.Ordinal);
        Assert.Equal(["get,list,patch nodes", "patch pods"], Assert.Single(changedRound.ShortOfAccess).MissingPermissions!.Select(permission => permission.ToString()));
        Assert.DoesNotContain(changedRound.Cleared, cleared => cleared.AccessGranted);
        Assert.Equal(HealthState.Degraded, health.State);
        Assert.EndsWith($"; Containment may not do all it needs on {LocalHostFixture.Cluster} (patch pods)", health.Detail, StringComparison.Ordinal);
        Assert.Empty(grantedRound.Report.Clusters.Single().MissingPermissions!);
        Assert.Contains(grantedRound.Cleared, cleared => cleared.AccessGranted && cleared.Cluster == LocalHostFixture.Cluster);
    }

    private static List<KubernetesPermission> Without(string resource, string verb) =>
        [.. ContainmentPermissions.All.Select(permission => permission.Resource == resource ? permission with { Verbs = [.. permission.Verbs.Where(v => v != verb)] } : permission)];

    /// <summary>The health the drift schedule reports after its first round.</summary>
    private static async Task<HealthCheck> ScheduledRoundHealthAsync(DriftWatch watch)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var schedule = new DriftSchedule(watch, Options.Create(new DriftOptions { Every = TimeSpan.FromMinutes(15) }), time, NullLogger<DriftSchedule>.Instance);
        await schedule.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(15));
        var health = await DriftWatchTests.WhenReportedAsync(schedule, reported => reported.Detail!.StartsWith("last round", StringComparison.Ordinal));
        await schedule.StopAsync(CancellationToken.None);
        return health;
    }

    private async Task<(int Exit, string Output)> DriftCommandAsync()
    {
        var (exit, output, error) = await Cli.CliRun.RunAsync("isolations", "drift", "--url", host.BaseAddress.ToString(), "--key", LocalHostFixture.ApiKey);
        return (exit, output + error);
    }

}
