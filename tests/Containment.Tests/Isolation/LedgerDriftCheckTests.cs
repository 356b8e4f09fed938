using System.Text.Json.Nodes;
using Containment.Activities;
using Containment.Isolation.Drift;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Tests.EndToEnd;
using Containment.Tests.Reliability;
using Containment.Tests.Support;
using KubeSim;
using QuarantineNames = Containment.Isolation.QuarantineNames;
using ReleaseAction = Containment.Isolation.Actions.Release.ReleasePod;

namespace Containment.Tests.Isolation;

/// <summary>The drift check against KubeSim and the ledger: each way a pod and its record can disagree, and agreement.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class LedgerDriftCheckTests(LocalHostFixture host)
{
    private readonly IsolationLedger isolations = host.Get<IsolationLedger>();
    private readonly DateTimeOffset settled = host.Get<TimeProvider>().GetUtcNow() - new DriftOptions().Settling - TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Check_PodIsolatedAsItsRecordSays_FindsNothing()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Isolated);

        var report = await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None);

        Assert.Empty(Of(report, pod));
        Assert.Contains(report.Clusters, cluster => cluster is { Cluster: LocalHostFixture.Cluster, Error: null, QuarantinedPods: > 0, IsolatedRecords: > 0 });
    }

    [Fact]
    public async Task Check_QuarantinedPodWhoseRecordSaysReleased_IsQuarantinedWithoutIsolation()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Released);

        var finding = Assert.Single(Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod));

        Assert.Equal(DriftKind.QuarantinedWithoutIsolation, finding.Kind);
        Assert.Equal(IsolationStatus.Released, finding.Record);
        Assert.StartsWith("the pod carries quarantine ", finding.Detail, StringComparison.Ordinal);
        Assert.Contains("and its record says released since", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_QuarantinedPodWithoutItsPolicy_IsQuarantinedWithoutFence()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Isolated);
        await host.KubeSim.Store.DeleteAsync(ResourceCatalog.NetworkPolicies, LocalHostFixture.Namespace, QuarantineNames.PolicyName(pod), CancellationToken.None);

        var finding = Assert.Single(Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod));

        Assert.Equal(DriftKind.QuarantinedWithoutFence, finding.Kind);
        Assert.EndsWith("selects it: it is not cut off", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_IsolatedRecordOfAPodGivenBack_IsIsolatedButNotQuarantined()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Isolated);
        await host.Get<ReleaseAction>().ReleaseAsync(ActivityTargets.Pod(Isolate(pod).Alert.Target), RunStartedAt.AddMinutes(1), CancellationToken.None);

        var finding = Assert.Single(Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod));

        Assert.Equal(DriftKind.IsolatedButNotQuarantined, finding.Kind);
        Assert.Equal(IsolationStatus.Isolated, finding.Record);
        Assert.EndsWith("the pod carries no quarantine: it has its network", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_IsolatedRecordOfAPodGone_IsIsolatedButPodGone()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Isolated);
        await host.KubeSim.Store.DeleteAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None);

        var finding = Assert.Single(Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod));

        Assert.Equal(DriftKind.IsolatedButPodGone, finding.Kind);
    }

    [Fact]
    public async Task Check_NodesForbidden_PodsStillChecked()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Released);
        var forbidden = new FaultRule { Method = "GET", PathPrefix = "/api/v1/nodes", StatusCode = 403, Probability = 1 };
        DriftReport report;
        using (new FaultsOn(host.KubeSim, forbidden))
        {
            report = await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None);
        }

        Assert.True(host.KubeSim.Faults.Fired(forbidden) > 0, "the nodes were not listed");
        Assert.Contains(report.Clusters, cluster => cluster is { Cluster: LocalHostFixture.Cluster, Error: null, QuarantinedPods: > 0 });
        Assert.Equal(DriftKind.QuarantinedWithoutIsolation, Assert.Single(Of(report, pod)).Kind);
    }

    [Fact]
    public async Task Check_DisagreementYoungerThanSettling_IsLeftToSettle()
    {
        // A release restores the pod a moment before it writes its record.
        var pod = host.TakePod();
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod), CancellationToken.None)).Succeeded);
        await host.Get<ReleaseAction>().ReleaseAsync(ActivityTargets.Pod(Isolate(pod).Alert.Target), RunStartedAt.AddMinutes(1), CancellationToken.None);

        Assert.Empty(Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod));
    }

    [Fact]
    public async Task Check_PodRelabelledByAnIsolationUnderWay_IsLeftToItsRun()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var podPath = $"/api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}";
        var letGo = new TaskCompletionSource();
        var heldAnswer = new FaultRule { Method = "PATCH", PathPrefix = podPath, DelayResponse = true, Until = letGo.Task };
        host.KubeSim.Faults.Add(heldAnswer);
        try
        {
            // The relabel is carried out and its answer held: the pod is cut off, and its record not yet written.
            var instanceId = await PostReverseShellAsync(flow, pod);
            await UntilAsync(() => host.KubeSim.Requests.CarriedOut("PATCH", podPath) > 0);
            var underWay = await NothingLeftToSettle().CheckAsync(CancellationToken.None);
            letGo.SetResult();
            await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) && (string?)status["currentStep"] == "approve-release");
            var isolated = await NothingLeftToSettle().CheckAsync(CancellationToken.None);

            Assert.Empty(Of(underWay, pod));
            Assert.Empty(Of(isolated, pod));
            Assert.Equal(IsolationStatus.Isolated, (await isolations.GetAsync(instanceId, CancellationToken.None))!.Status);
        }
        finally
        {
            letGo.TrySetResult();
            host.KubeSim.Faults.Remove(heldAnswer);
        }
    }

    [Fact]
    public async Task Check_PodGivenBackByAReleaseUnderWay_IsLeftToItsRun()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var instanceId = await PostReverseShellAsync(flow, pod);
        await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) && (string?)status["currentStep"] == "approve-release");
        var letGo = new TaskCompletionSource();
        var heldDelete = new FaultRule
        {
            Method = "DELETE",
            PathPrefix = $"/apis/networking.k8s.io/v1/namespaces/{LocalHostFixture.Namespace}/networkpolicies/{QuarantineNames.PolicyName(pod)}",
            Until = letGo.Task,
        };
        host.KubeSim.Faults.Add(heldDelete);
        try
        {
            // Approved: the release gives the pod its labels back, then its fence's delete is held; the record still says isolated.
            using var anonymous = host.CreateAnonymousClient();
            using var approved = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod),
                new FormUrlEncodedContent([new("decision", "approve"), new("name", "ops@contoso.com"), new("comment", "checked")]));
            await UntilAsync(() => host.KubeSim.Faults.Fired(heldDelete) > 0);
            var underWay = await NothingLeftToSettle().CheckAsync(CancellationToken.None);
            letGo.SetResult();
            await flow.RunUntilAsync(instanceId, FlowClient.Finished);
            var released = await NothingLeftToSettle().CheckAsync(CancellationToken.None);

            Assert.Equal(200, (int)approved.StatusCode);
            Assert.Empty(Of(underWay, pod));
            Assert.Empty(Of(released, pod));
            Assert.Equal(IsolationStatus.Released, (await isolations.GetAsync(instanceId, CancellationToken.None))!.Status);
        }
        finally
        {
            letGo.TrySetResult();
            host.KubeSim.Faults.Remove(heldDelete);
        }
    }

    [Fact]
    public async Task Check_IsolatedRecordOfAPodGivenBack_WhileItsNextRunWaitsForAnApproval_IsStillReported()
    {
        using var flow = new FlowClient(host);
        var pod = await IsolateSettledAsync(IsolationStatus.Isolated);
        await host.Get<ReleaseAction>().ReleaseAsync(ActivityTargets.Pod(Isolate(pod).Alert.Target), RunStartedAt.AddMinutes(1), CancellationToken.None);

        // A run of the pod's that asks a person first: it waits, and changes nothing on the cluster meanwhile.
        var (status, body) = await flow.PostAsync("api/alerts", $$"""
            { "id": "drift-{{Guid.NewGuid():N}}", "source": "siem", "category": "abnormal-process", "severity": "medium", "time": "2026-11-23T03:00:00Z",
              "title": "Unexpected binary", "target": { "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}" } }
            """);
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        try
        {
            var finding = Assert.Single(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));

            Assert.Equal(202, status);
            Assert.Equal(DriftKind.IsolatedButNotQuarantined, finding.Kind);
        }
        finally
        {
            await host.Get<Containment.Runs.IPlaybookRuntime>().TerminateAsync(instanceId, "test over", CancellationToken.None);
        }
    }

    /// <summary>Posts a reverse-shell alert for the pod; the run's id.</summary>
    private static async Task<string> PostReverseShellAsync(FlowClient flow, string pod)
    {
        var (status, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        Assert.Equal(202, status);
        return (string)body["alerts"]![0]!["instanceId"]!;
    }

    private static Task UntilAsync(Func<bool> done) =>
        RealTimeLimit.UntilAsync(done, "the cluster request did not come", TimeSpan.FromSeconds(30));

    [Fact]
    public async Task GetDrift_OverHttp_NamesTheKindAndTheRecordInWireForm()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Failed);
        using var flow = new FlowClient(host);

        var report = await flow.GetAsync("api/drift");

        var finding = Assert.Single(report["findings"]!.AsArray(), item => (string?)item!["pod"] == pod)!;
        Assert.Equal("quarantined-without-isolation", (string?)finding["kind"]);
        Assert.Equal("failed", (string?)finding["record"]);
        Assert.Equal(LocalHostFixture.Cluster, (string?)finding["cluster"]);
        Assert.NotNull(report["checkedAt"]);
        Assert.IsType<JsonArray>(report["clusters"]);
    }

    [Fact]
    public async Task IsolationsDriftCommand_WithAFinding_PrintsItAndExitsOne()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Released);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await Containment.Local.Cli.ContainmentCli.RunAsync(
            ["isolations", "drift", "--url", host.BaseAddress.ToString(), "--key", LocalHostFixture.ApiKey], output, error);

        Assert.Equal(Containment.Local.Cli.ContainmentCli.Failed, exit);
        Assert.Contains($"{LocalHostFixture.Cluster}: ", output.ToString(), StringComparison.Ordinal);
        var row = Assert.Single(output.ToString().Split('\n'), line => line.Contains($" {pod} ", StringComparison.Ordinal));
        Assert.StartsWith("quarantined-without-isolation", row, StringComparison.Ordinal);
        Assert.Contains(" released ", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseByHand_PodQuarantinedThoughItsRecordSaysReleased_GivesItBack()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Released);
        var id = ActivityTargets.IsolationId(Isolate(pod).Alert.Target);
        using var flow = new FlowClient(host);
        var before = Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod);

        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "drift report: cut off, ledger says released" }""");
        var run = await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        Assert.Contains(before, finding => finding.Kind == DriftKind.QuarantinedWithoutIsolation);
        Assert.Equal(202, release.Status);
        Assert.Equal("succeeded", (string?)run["outcome"]!["result"]);
        Assert.Null((await flow.PodAsync(pod))!["metadata"]!["labels"]![QuarantineNames.QuarantineLabel]);
        Assert.Equal("victim", (string?)(await flow.PodAsync(pod))!["metadata"]!["labels"]!["app"]);
        Assert.Empty(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));
        var started = Assert.Single((await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}"))["audit"]!.AsArray(), entry => (string?)entry!["action"] == "release-started")!;
        Assert.EndsWith("(the pod still carries a quarantine though its record says released)", (string?)started["detail"], StringComparison.Ordinal);
        Assert.Equal(409, (await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "twice" }""")).Status);
    }

    [Fact]
    public async Task ReleaseByHand_PodQuarantinedWithNoRecord_GivesItBackByItsId()
    {
        var pod = host.TakePod();
        var isolate = Isolate(pod);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        var id = ActivityTargets.IsolationId(isolate.Alert.Target);
        await host.Tables.GetTableClient(host.TablePrefix + "Isolations").DeleteEntityAsync(TableKey.Encode(id), TableKey.Encode("isolation~" + id));
        using var flow = new FlowClient(host);

        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "drift report: no record" }""");
        await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        Assert.Equal(202, release.Status);
        Assert.Equal("victim", (string?)(await flow.PodAsync(pod))!["metadata"]!["labels"]!["app"]);
        Assert.Null((await flow.PodAsync(pod))!["metadata"]!["labels"]![QuarantineNames.QuarantineLabel]);
        Assert.Equal(404, (await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "twice" }""")).Status);
    }

    [Fact]
    public async Task ReleaseByHand_QuarantineLabelPutOnByHand_TakesItOff_AndTheDriftClears()
    {
        var pod = host.TakePod();
        using var flow = new FlowClient(host);
        var labels = (await flow.PodAsync(pod))!["metadata"]!["labels"]!.ToJsonString();
        await host.KubeSim.Store.PatchAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [QuarantineNames.QuarantineLabel] = "by-hand" } } }, CancellationToken.None);
        var id = ActivityTargets.IsolationId(Isolate(pod).Alert.Target);
        var before = Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod);

        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "drift report: labelled by hand" }""");
        var run = await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        Assert.Contains(before, finding => finding.Kind == DriftKind.QuarantinedWithoutIsolation);
        Assert.Equal(202, release.Status);
        Assert.Equal("succeeded", (string?)run["outcome"]!["result"]);
        Assert.Equal(labels, (await flow.PodAsync(pod))!["metadata"]!["labels"]!.ToJsonString());
        Assert.Empty(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));
        Assert.Equal(404, (await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "twice" }""")).Status);
    }

    [Fact]
    public async Task ReleaseByHand_RecordSaysReleased_PodCannotBeRead_TheRecordsWordStands_Is409()
    {
        // The pod still carries its quarantine, but the identity may not read it: the release cannot see that, and goes by the record.
        var pod = await IsolateSettledAsync(IsolationStatus.Released);
        var id = ActivityTargets.IsolationId(Isolate(pod).Alert.Target);
        using var flow = new FlowClient(host);
        (int Status, JsonObject Body) release;
        using (new FaultsOn(host.KubeSim, new FaultRule { Method = "GET", PathPrefix = $"/api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}", StatusCode = 403, Probability = 1 }))
        {
            release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "drift report" }""");
        }

        Assert.Equal(409, release.Status);
        Assert.Equal($"isolation '{id}' is already released", (string?)release.Body["error"]);
        Assert.NotNull((await flow.PodAsync(pod))!["metadata"]!["labels"]![QuarantineNames.QuarantineLabel]);
        Assert.DoesNotContain((await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}"))["audit"]!.AsArray(), entry => (string?)entry!["action"] == "release-started");
    }

    [Fact]
    public async Task IsolationsReleaseCommand_PodQuarantinedThoughReleased_StartsTheRelease_ThenRefusesASecond()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Released);
        var id = ActivityTargets.IsolationId(Isolate(pod).Alert.Target);
        using var flow = new FlowClient(host);
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] release = ["isolations", "release", id, "--reason", "drift report", "--url", host.BaseAddress.ToString(), "--key", LocalHostFixture.ApiKey];

        var first = await Containment.Local.Cli.ContainmentCli.RunAsync(release, output, error);
        await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");
        var second = await Containment.Local.Cli.ContainmentCli.RunAsync(release, output, error);

        Assert.Equal(Containment.Local.Cli.ContainmentCli.Ok, first);
        Assert.StartsWith($"{id}: release started, run {id} (manual-release); its progress: http", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(Containment.Local.Cli.ContainmentCli.Failed, second);
        Assert.Contains($"isolation '{id}' is already released", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsolateByHand_IsolatedRecordOfAPodGivenBack_CutsItOffAgain()
    {
        var pod = await IsolateSettledAsync(IsolationStatus.Isolated);
        await host.Get<ReleaseAction>().ReleaseAsync(ActivityTargets.Pod(Isolate(pod).Alert.Target), RunStartedAt.AddMinutes(1), CancellationToken.None);
        var id = ActivityTargets.IsolationId(Isolate(pod).Alert.Target);
        using var flow = new FlowClient(host);
        var before = Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod);

        var isolate = await flow.PostAsync("api/isolations", $$"""{ "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}", "reason": "drift report: isolated but not quarantined" }""");
        await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-isolate");

        Assert.Equal(DriftKind.IsolatedButNotQuarantined, Assert.Single(before).Kind);
        Assert.Equal(202, isolate.Status);
        Assert.NotNull((await flow.PodAsync(pod))!["metadata"]!["labels"]![QuarantineNames.QuarantineLabel]);
        Assert.Contains(QuarantineNames.PolicyName(pod), await flow.PolicyNamesAsync());
        Assert.Empty(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));
    }

    [Fact]
    public async Task NodeKeptCordonedForAPodWhoseRecordSaysReleased_IsCordonedWithoutIsolation_ReleaseByHandGivesItBack()
    {
        // An escape's run cordoned the node; the pod was given back, and the uncordon never came (it failed, or the run ended).
        var (pod, node) = await host.PodOnOwnNodeAsync();
        var isolate = Isolate(pod);
        var id = ActivityTargets.IsolationId(isolate.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        Assert.True((await host.Activity(ActivityNames.CordonNode).RunAsync(isolate with { Step = new CordonNodeStep { Id = "cordon" } }, CancellationToken.None)).Succeeded);
        var whileIsolated = Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod);
        await host.Get<ReleaseAction>().ReleaseAsync(ActivityTargets.Pod(isolate.Alert.Target), RunStartedAt, CancellationToken.None);
        await isolations.ChangeAsync(id, current => current! with { Status = IsolationStatus.Released, ChangedAt = settled }, CancellationToken.None);
        using var flow = new FlowClient(host);

        var finding = Assert.Single(Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod));
        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "drift report: node still cordoned" }""");
        await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        Assert.Empty(whileIsolated);
        Assert.Equal(DriftKind.CordonedWithoutIsolation, finding.Kind);
        Assert.Equal(IsolationStatus.Released, finding.Record);
        Assert.StartsWith($"node {node} is kept cordoned for the pod, and its record says released since ", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(202, release.Status);
        Assert.Null((await host.KubeSim.Store.GetAsync(ResourceCatalog.Nodes, null, node, CancellationToken.None))!["spec"]!["unschedulable"]);
        Assert.Empty(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));
        var started = Assert.Single((await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}"))["audit"]!.AsArray(), entry => (string?)entry!["action"] == "release-started")!;
        Assert.EndsWith("(a node is still kept cordoned for the pod though its record says released)", (string?)started["detail"], StringComparison.Ordinal);
        Assert.Equal(409, (await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "twice" }""")).Status);
    }

    [Fact]
    public async Task FenceLeftByAWithdrawnIsolation_IsFenceWithoutQuarantine_ReleaseByHandDeletesIt()
    {
        // An isolation of an ended run landed after a later run released the pod: it gave the labels back and left its fence.
        var pod = host.TakePod();
        var isolate = Isolate(pod);
        var id = ActivityTargets.IsolationId(isolate.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        Assert.True(await host.Get<ReleaseAction>().GiveBackLabelsAsync(ActivityTargets.Pod(isolate.Alert.Target), RunStartedAt, CancellationToken.None));
        await isolations.ChangeAsync(id, current => current! with { Status = IsolationStatus.Released, ChangedAt = settled }, CancellationToken.None);
        using var flow = new FlowClient(host);

        var young = Of(await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None), pod);
        var finding = Assert.Single(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));
        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "drift report: a fence left" }""");
        await flow.RunUntilAsync(id, status => FlowClient.Finished(status) && (string?)status["playbook"] == "manual-release");

        // Made a moment ago, the fence is left to settle: one made ahead of its relabel looks the same.
        Assert.Empty(young);
        Assert.Equal(DriftKind.FenceWithoutQuarantine, finding.Kind);
        Assert.Equal($"NetworkPolicy {QuarantineNames.PolicyName(pod)} fences quarantine {ActivityTargets.QuarantineId(isolate.Alert.Target)}, which no pod in {LocalHostFixture.Namespace} carries, and its record says released since {settled:u}", finding.Detail);
        Assert.Equal(202, release.Status);
        Assert.DoesNotContain(QuarantineNames.PolicyName(pod), await flow.PolicyNamesAsync());
        Assert.Empty(Of(await NothingLeftToSettle().CheckAsync(CancellationToken.None), pod));
        var started = Assert.Single((await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}"))["audit"]!.AsArray(), entry => (string?)entry!["action"] == "release-started")!;
        Assert.EndsWith("(the pod's quarantine policy is still there though its record says released)", (string?)started["detail"], StringComparison.Ordinal);
        Assert.Equal(409, (await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "twice" }""")).Status);
    }

    [Theory]
    [InlineData("aks-prod~shop~victim-never-made")]
    [InlineData("aks-nowhere~shop~victim-00")]
    [InlineData("not-an-isolation-id")]
    public async Task ReleaseByHand_NoRecordAndNoQuarantinedPod_Is404(string id)
    {
        using var flow = new FlowClient(host);

        var release = await flow.PostAsync($"api/isolations/{Uri.EscapeDataString(id)}/release", """{ "reason": "nothing there" }""");

        Assert.Equal(404, release.Status);
        Assert.Equal($"no isolation '{id}'", (string?)release.Body["error"]);
    }

    private static readonly DateTimeOffset RunStartedAt = DateTimeOffset.UtcNow.AddMinutes(-30);

    private static ActivityRequest Isolate(string pod) =>
        ActivityCalls.Request("drift", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false }) with { RunStartedAt = RunStartedAt };

    /// <summary>A pod isolated by a run, its record then saying <paramref name="status"/> since a moment past settling.</summary>
    private async Task<string> IsolateSettledAsync(IsolationStatus status)
    {
        var pod = host.TakePod();
        var isolate = Isolate(pod);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        await isolations.ChangeAsync(ActivityTargets.IsolationId(isolate.Alert.Target), current => current! with { Status = status, ChangedAt = settled }, CancellationToken.None);
        return pod;
    }

    /// <summary>The host's check with nothing left to settle: what a remedy just changed counts at once.</summary>
    private LedgerDriftCheck NothingLeftToSettle() => new(
        host.Get<Containment.Clusters.ClusterRegistry>(),
        host.Get<Containment.Clusters.KubernetesCallPipeline>(),
        host.Get<Containment.Clusters.ClusterAccessReview>(),
        isolations,
        host.Get<Containment.Runs.IPlaybookRuntime>(),
        Microsoft.Extensions.Options.Options.Create(new DriftOptions { Settling = TimeSpan.Zero }),
        host.Get<TimeProvider>(),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<LedgerDriftCheck>.Instance);

    private static List<DriftFinding> Of(DriftReport report, string pod) => report.Findings.Where(finding => finding.Pod == pod).ToList();
}
