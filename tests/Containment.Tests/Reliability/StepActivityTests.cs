using System.Text.Json.Nodes;
using Containment.Activities;
using Containment.Alerts;
using QuarantineNames = Containment.Isolation.QuarantineNames;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// Steps as a runtime calls them, against the host's KubeSim and Azurite: what each leaves in the ledger and what
/// it answers when the cluster or the ledger says no.
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class StepActivityTests(ReliabilityHostFixture host)
{
    private readonly IsolationLedger isolations = host.Get<IsolationLedger>();
    private readonly SecurityEventLedger events = host.Get<SecurityEventLedger>();
    private readonly AuditTrail audit = host.Get<AuditTrail>();

    [Fact]
    public async Task Isolate_AnotherPolicyAllowsTrafficToThePod_FailsAsPartialNamingIt_PodStaysFenced()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        await PolicySelectingQuarantineAsync(request, "allow-scraper", """[{"from":[{"namespaceSelector":{}}]}]""");

        var result = await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.Equal($"isolation is partial: NetworkPolicy allow-scraper-{pod} selects the quarantined pod; it allows traffic, which the deny-all policy does not override. The pod keeps its quarantine until it is released by hand (POST /api/isolations/{Uri.EscapeDataString(request.InstanceId)}/release)", result.Reason);
        var record = await isolations.GetAsync(ActivityTargets.IsolationId(request.Alert.Target), CancellationToken.None);
        Assert.Equal(IsolationStatus.Isolated, record?.Status);
        Assert.Contains("allow-scraper", Assert.Single(await audit.ListAsync(AuditSubject.Isolation, record!.Id, CancellationToken.None)).Detail, StringComparison.Ordinal);
        Assert.NotNull(await host.KubeSim.Store.GetAsync(ResourceCatalog.NetworkPolicies, LocalHostFixture.Namespace, $"containment-quarantine-{pod}", CancellationToken.None));
    }

    [Fact]
    public async Task Isolate_AnotherPolicyAllowsTraffic_PartialAllowed_Succeeds()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false, AllowPartial = true });
        await PolicySelectingQuarantineAsync(request, "allow-dns", """[]""", """[{"ports":[{"protocol":"UDP","port":53}]}]""");

        var result = await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
    }

    [Fact]
    public async Task Isolate_DefaultDenyPolicySelectsThePod_IsNotPartial()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        await PolicySelectingQuarantineAsync(request, "default-deny", """[]""", """[]""");

        var result = await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var record = await isolations.GetAsync(ActivityTargets.IsolationId(request.Alert.Target), CancellationToken.None);
        Assert.DoesNotContain("default-deny", Assert.Single(await audit.ListAsync(AuditSubject.Isolation, record!.Id, CancellationToken.None)).Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// The answers of an API server to the fence's create, as the Failed record and the run's failure say them: those worth
    /// another try (429, a request that times out) are tried again in the call first. Status 0 holds the request past the
    /// client's timeout. <c>{0}</c> stands for the call.
    /// </summary>
    [Theory]
    [InlineData(401, "unauthorized: the cluster rejected the credentials for {0}", 1, false)]
    [InlineData(422, "invalid: {0} was rejected by validation", 1, false)]
    [InlineData(400, "HTTP 400: {0}", 1, false)]
    [InlineData(429, "throttled: {0} still answered 429 after retries", 5, true)]
    [InlineData(0, "timed out: {0}", 5, true)]
    public async Task Isolate_ApiServerRefusesTheFence_FailedRecordSaysWhy_PodUntouched(int status, string says, int tries, bool retryable)
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        var id = ActivityTargets.IsolationId(request.Alert.Target);
        var before = await new ClusterView(host).MetadataAsync(pod);
        var refused = status == 0
            ? new FaultRule { Method = "POST", PathPrefix = PoliciesPath, Delay = ReliabilityHostFixture.KubernetesRequestTimeout * 2, Probability = 1 }
            : new FaultRule { Method = "POST", PathPrefix = PoliciesPath, StatusCode = status, RetryAfterSeconds = status == 429 ? 0 : null, Probability = 1 };

        ActivityResult result;
        using (new FaultsOn(host.KubeSim, refused))
        {
            result = await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None);
        }

        var reason = string.Format(System.Globalization.CultureInfo.InvariantCulture, says, $"create networkpolicies \"containment-quarantine-{pod}\" in namespace {LocalHostFixture.Namespace}");
        Assert.False(result.Succeeded);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(retryable, result.Retryable);
        Assert.Equal(tries, host.KubeSim.Faults.Fired(refused));
        var record = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Failed, reason), (record?.Status, record?.FailureReason));
        Assert.Equal([(AuditAction.IsolationFailed, reason)], (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => (entry.Action, entry.Detail)));
        Assert.Equal(before, await new ClusterView(host).MetadataAsync(pod));
        Assert.Empty(await new ClusterView(host).PoliciesForAsync(pod, quarantineId: null));
    }

    [Fact]
    public async Task Isolate_ReadAheadForItsCall_IsolatesWithThePodReadAhead()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        var activity = host.Activity(ActivityNames.IsolatePod);

        var podRead = $"GET /api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}";
        activity.ReadAhead(request, CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (host.KubeSim.Requests.Snapshot().GetValueOrDefault(podRead) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the pod was not read ahead");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        var result = await activity.RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var requests = host.KubeSim.Requests.Snapshot();
        Assert.Equal(1, requests.GetValueOrDefault(podRead));
        Assert.Equal(1, requests.GetValueOrDefault($"PATCH /api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}"));
    }

    [Fact]
    public async Task Isolate_CallMadeAgainAfterItsRecordWasWritten_WritesNoSecondRecordOrEntry()
    {
        // The call's answer was lost, or its process stopped before the run kept its result: the run makes it again.
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        var isolate = host.Activity(ActivityNames.IsolatePod);
        var id = ActivityTargets.IsolationId(request.Alert.Target);
        Assert.True((await isolate.RunAsync(request, CancellationToken.None)).Succeeded);
        var first = await isolations.GetAsync(id, CancellationToken.None);

        var again = await isolate.RunAsync(request with { Attempt = 2, MaxAttempts = 3 }, CancellationToken.None);

        Assert.True(again.Succeeded, again.Reason);
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((first!.Status, first.ChangedAt, first.ChangedByCall), (after!.Status, after.ChangedAt, after.ChangedByCall));
        Assert.Equal([AuditAction.Isolated], (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task Isolate_ThePodsNextRunWithTheSameCallId_RecordsItsIsolation()
    {
        // Runs of a pod share the run id, so their call ids repeat; the alert that started each run tells them apart.
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        var isolate = host.Activity(ActivityNames.IsolatePod);
        var id = ActivityTargets.IsolationId(request.Alert.Target);
        Assert.True((await isolate.RunAsync(request, CancellationToken.None)).Succeeded);

        var nextRun = request with { Alert = request.Alert with { Id = request.Alert.Id + "-again" } };
        Assert.True((await isolate.RunAsync(nextRun, CancellationToken.None)).Succeeded);

        var record = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal([AuditAction.Isolated, AuditAction.Isolated], (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
        Assert.Contains(ActivityTargets.EventId(nextRun.Alert), record!.AlertIds);
    }

    [Fact]
    public async Task Isolate_AgainAfterARelease_IsolatedSinceTheNewIsolation_NoReleaseTime_NamesTheNewRun()
    {
        var pod = host.TakePod();
        var isolateRequest = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false }) with { RunStartedAt = DateTimeOffset.UtcNow };
        var isolate = host.Activity(ActivityNames.IsolatePod);
        var id = ActivityTargets.IsolationId(isolateRequest.Alert.Target);
        Assert.True((await isolate.RunAsync(isolateRequest, CancellationToken.None)).Succeeded);
        var first = (await isolations.GetAsync(id, CancellationToken.None))!;
        Assert.True((await isolate.RunAsync(isolateRequest with { CallId = isolateRequest.CallId + "-same-run" }, CancellationToken.None)).Succeeded);
        var stillIsolated = (await isolations.GetAsync(id, CancellationToken.None))!;
        Assert.True((await host.Activity(ActivityNames.ReleasePod).RunAsync(ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" }), CancellationToken.None)).Succeeded);
        var released = (await isolations.GetAsync(id, CancellationToken.None))!;

        var nextRun = isolateRequest with { Alert = isolateRequest.Alert with { Id = isolateRequest.Alert.Id + "-again" }, RunStartedAt = released.ReleasedAt!.Value.AddSeconds(1) };
        Assert.True((await isolate.RunAsync(nextRun, CancellationToken.None)).Succeeded);

        var again = (await isolations.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(first.IsolatedAt, stillIsolated.IsolatedAt);
        Assert.Equal(isolateRequest.RunStartedAt, first.IsolatingRunStartedAt);
        Assert.Equal(IsolationStatus.Isolated, again.Status);
        Assert.True(again.IsolatedAt >= released.ReleasedAt, $"isolated at {again.IsolatedAt:O}, released at {released.ReleasedAt:O}");
        Assert.Null(again.ReleasedAt);
        Assert.Equal(nextRun.RunStartedAt, again.IsolatingRunStartedAt);
    }

    /// <param name="podReplaced">
    /// The pod is deleted before the release and made again under its name (a StatefulSet's) once the release's delete
    /// went out: the release reads no pod, so its own run tells it which quarantine the fence it deletes belongs to.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Release_FenceDeletedButItsAnswerLost_ThePodsNextRunFencesMeanwhile_TheRetryLeavesThatFence(bool podReplaced)
    {
        // The release's fence delete is carried out and its answer lost (held past the client's timeout); its retry is
        // held (at the read that guards it, or the delete itself where none does). Meanwhile the pod's next run (another alert) isolates the pod: its fence is
        // created (201), and its relabel held until the release is done. The retried delete must not take that fence:
        // the pod would be quarantined and selected by no policy, open to all traffic.
        var pod = host.TakePod();
        var asMade = (await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None))!;
        var isolateRequest = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false }) with { RunStartedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolateRequest, CancellationToken.None)).Succeeded);
        if (podReplaced)
        {
            await host.KubeSim.Store.DeleteAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None);
        }

        var fencePath = $"{PoliciesPath}/{QuarantineNames.PolicyName(pod)}";
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letRetry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letRelabel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lostAnswer = new FaultRule { Method = "DELETE", PathPrefix = fencePath, DelayResponse = true, Until = letGo.Task };
        var heldGuardRead = new FaultRule { Method = "GET", PathPrefix = fencePath, Until = letRetry.Task };
        var heldRetry = new FaultRule { Method = "DELETE", PathPrefix = fencePath, Until = letRetry.Task };
        var heldRelabel = new FaultRule { Method = "PATCH", PathPrefix = $"/api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}", Until = letRelabel.Task };
        host.KubeSim.Faults.Add(lostAnswer);
        try
        {
            var releasing = host.Activity(ActivityNames.ReleasePod).RunAsync(
                ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" }) with { RunStartedAt = isolateRequest.RunStartedAt }, CancellationToken.None);
            await WhileAsync(() => host.KubeSim.Faults.Fired(lostAnswer) == 0 && !releasing.IsCompleted);
            host.KubeSim.Faults.Add(heldGuardRead);
            host.KubeSim.Faults.Add(heldRetry);
            await WhileAsync(() => host.KubeSim.Faults.Fired(heldGuardRead) + host.KubeSim.Faults.Fired(heldRetry) == 0 && !releasing.IsCompleted);
            if (podReplaced)
            {
                var again = (JsonObject)asMade.DeepClone();
                var metadata = again["metadata"]!.AsObject();
                metadata.Remove("uid");
                metadata.Remove("resourceVersion");
                metadata.Remove("creationTimestamp");
                await host.KubeSim.Store.CreateAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, again, CancellationToken.None);
            }

            host.KubeSim.Faults.Add(heldRelabel);
            var nextRun = isolateRequest with { Alert = isolateRequest.Alert with { Id = isolateRequest.Alert.Id + "-next" }, RunStartedAt = DateTimeOffset.UtcNow };
            var isolating = host.Activity(ActivityNames.IsolatePod).RunAsync(nextRun, CancellationToken.None);
            await WhileAsync(() => host.KubeSim.Faults.Fired(heldRelabel) == 0 && !isolating.IsCompleted);
            letRetry.SetResult();

            // The release itself ends as the next run's record leaves it; what matters here is the cluster.
            await releasing;
            letRelabel.SetResult();
            var isolated = await isolating;

            Assert.True(isolated.Succeeded, isolated.Reason);
            Assert.Equal((1, 1), (host.KubeSim.Faults.Fired(lostAnswer), host.KubeSim.Faults.Fired(heldRelabel)));
            await AssertFencedAsQuarantinedAsync(pod);
        }
        finally
        {
            host.KubeSim.Faults.Remove(lostAnswer);
            host.KubeSim.Faults.Remove(heldGuardRead);
            host.KubeSim.Faults.Remove(heldRetry);
            host.KubeSim.Faults.Remove(heldRelabel);
            letGo.TrySetResult();
            letRetry.TrySetResult();
            letRelabel.TrySetResult();
        }
    }

    [Fact]
    public async Task Release_CallMadeAgainWhileThePodsNextRunIsolates_LeavesThatRunsFence()
    {
        // The release has given the labels back and deleted the fence; its result is lost, so the call is made again. By
        // then the pod's next run has created its fence (201) and not yet relabelled the pod. The call again finds the pod
        // unquarantined: the fence under the pod's name is the next run's, and must stay.
        var pod = host.TakePod();
        var isolateRequest = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false }) with { RunStartedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        var release = ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" }) with { RunStartedAt = isolateRequest.RunStartedAt };
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolateRequest, CancellationToken.None)).Succeeded);
        Assert.True((await host.Activity(ActivityNames.ReleasePod).RunAsync(release, CancellationToken.None)).Succeeded);
        var letRelabel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldRelabel = new FaultRule { Method = "PATCH", PathPrefix = $"/api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}", Until = letRelabel.Task };
        host.KubeSim.Faults.Add(heldRelabel);
        try
        {
            var nextRun = isolateRequest with { Alert = isolateRequest.Alert with { Id = isolateRequest.Alert.Id + "-next" }, RunStartedAt = DateTimeOffset.UtcNow };
            var isolating = host.Activity(ActivityNames.IsolatePod).RunAsync(nextRun, CancellationToken.None);
            await WhileAsync(() => host.KubeSim.Faults.Fired(heldRelabel) == 0 && !isolating.IsCompleted);

            var again = await host.Activity(ActivityNames.ReleasePod).RunAsync(release, CancellationToken.None);
            letRelabel.SetResult();
            var isolated = await isolating;

            Assert.True(again.Succeeded, again.Reason);
            Assert.True(isolated.Succeeded, isolated.Reason);
            await AssertFencedAsQuarantinedAsync(pod);
        }
        finally
        {
            host.KubeSim.Faults.Remove(heldRelabel);
            letRelabel.TrySetResult();
        }
    }

    [Fact]
    public async Task Release_PutBackOfTheNextRunsFenceFails_TheAuditTrailSays_TheCallMadeAgainPutsItBack()
    {
        // Under Durable Functions a run ended while its release runs (a takeover) leaves that call going on. It has given
        // the labels back; its fence delete is held. Meanwhile the pod's next run isolates it, taking up the fence that is
        // there. The delete then lands, and the release, reading the pod quarantined again, fails to put the fence back
        // (the API server answers 500 past the call's retries): the pod is quarantined and selected by no policy. The
        // failure is the step's answer and stays in the pod's audit trail, though the record is the next run's. A call
        // made again (its worker died before its answer was kept) finds the next run's quarantine, and puts that fence
        // back before it leaves the pod to that run.
        var pod = host.TakePod();
        var isolateRequest = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false }) with { RunStartedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        var release = ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" }) with { RunStartedAt = isolateRequest.RunStartedAt };
        var id = ActivityTargets.IsolationId(release.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolateRequest, CancellationToken.None)).Succeeded);
        var letDelete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldDelete = new FaultRule { Method = "DELETE", PathPrefix = $"{PoliciesPath}/{QuarantineNames.PolicyName(pod)}", Until = letDelete.Task };
        var refusedPutBack = new FaultRule { Method = "POST", PathPrefix = PoliciesPath, StatusCode = 500, Count = int.MaxValue };
        host.KubeSim.Faults.Add(heldDelete);
        try
        {
            var releasing = host.Activity(ActivityNames.ReleasePod).RunAsync(release, CancellationToken.None);
            await WhileAsync(() => host.KubeSim.Faults.Fired(heldDelete) == 0 && !releasing.IsCompleted);
            var nextRun = isolateRequest with { Alert = isolateRequest.Alert with { Id = isolateRequest.Alert.Id + "-next" }, RunStartedAt = DateTimeOffset.UtcNow };
            var isolated = await host.Activity(ActivityNames.IsolatePod).RunAsync(nextRun, CancellationToken.None);
            Assert.True(isolated.Succeeded, isolated.Reason);
            host.KubeSim.Faults.Add(refusedPutBack);
            letDelete.SetResult();

            var first = await releasing;
            Assert.False(first.Succeeded);
            Assert.EndsWith(Containment.Isolation.Actions.Release.ReleasePod.FenceNotPutBack, first.Reason, StringComparison.Ordinal);
            Assert.True(host.KubeSim.Faults.Fired(refusedPutBack) > 0);
            var failed = (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1];
            Assert.Equal((AuditAction.ReleaseFailed, release.InstanceId, first.Reason), (failed.Action, failed.RunInstanceId, failed.Detail));
            host.KubeSim.Faults.Remove(refusedPutBack);

            var again = await host.Activity(ActivityNames.ReleasePod).RunAsync(release, CancellationToken.None);

            Assert.False(again.Succeeded);
            Assert.False(again.Retryable);
            await AssertFencedAsQuarantinedAsync(pod);
            Assert.Equal(IsolationStatus.Isolated, (await isolations.GetAsync(id, CancellationToken.None))?.Status);
        }
        finally
        {
            host.KubeSim.Faults.Remove(heldDelete);
            host.KubeSim.Faults.Remove(refusedPutBack);
            letDelete.TrySetResult();
        }
    }

    [Fact]
    public async Task Release_CallMadeAgainAfterItsRecordWasWritten_WritesNoSecondEntry()
    {
        var pod = host.TakePod();
        var isolateRequest = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolateRequest, CancellationToken.None)).Succeeded);
        var request = ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" });
        var release = host.Activity(ActivityNames.ReleasePod);
        var id = ActivityTargets.IsolationId(request.Alert.Target);
        Assert.True((await release.RunAsync(request, CancellationToken.None)).Succeeded);

        var again = await release.RunAsync(request, CancellationToken.None);

        Assert.True(again.Succeeded, again.Reason);
        Assert.Equal(IsolationStatus.Released, (await isolations.GetAsync(id, CancellationToken.None))?.Status);
        Assert.Equal([AuditAction.Isolated, AuditAction.Released], (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task RequestApproval_CallMadeAgainForTheSameWait_SendsTheSameLink_StoresOneRequestAndOneEntry()
    {
        // The call's answer was lost, or its process stopped before the run kept its result: the run makes it again,
        // with the wait's stored deadline. The first message may not have gone out, so the link is sent again.
        var pod = host.TakePod();
        var step = new ApprovalStep { Id = "approve-release", Message = "release?", Channels = ["soc-teams"], Timeout = TimeSpan.FromHours(1) };
        var request = ActivityCalls.Request("step-activities", pod, step) with { EventName = "approval-approve-release-1", Deadline = DateTimeOffset.UtcNow.AddHours(1) };
        var ask = host.Activity(ActivityNames.RequestApproval);

        var first = await ask.RunAsync(request, CancellationToken.None);
        var again = await ask.RunAsync(request, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
        var links = ApprovalLinksSent(pod);
        Assert.Equal(2, links.Count);
        var link = Assert.Single(links.Distinct(StringComparer.Ordinal));
        var stored = await StoredApprovalsAsync(request.InstanceId);
        Assert.Equal(Containment.Approvals.ApprovalTokens.Hash(link[(link.LastIndexOf('/') + 1)..]), Assert.Single(stored));
        Assert.Equal(
            [AuditAction.ApprovalRequested],
            (await audit.ListAsync(AuditSubject.Isolation, ActivityTargets.IsolationId(request.Alert.Target), CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task RequestApproval_ThePodsNextRunAtTheSameWait_SendsItsOwnLink()
    {
        // Runs of a pod share the run id, so the next run's first round of the step may expire in the same second.
        var pod = host.TakePod();
        var step = new ApprovalStep { Id = "approve-release", Message = "release?", Channels = ["soc-teams"], Timeout = TimeSpan.FromHours(1) };
        var request = ActivityCalls.Request("step-activities", pod, step) with { EventName = "approval-approve-release-1", Deadline = DateTimeOffset.UtcNow.AddHours(1) };
        var nextRun = request with { Alert = request.Alert with { Id = request.Alert.Id + "-again" } };
        var ask = host.Activity(ActivityNames.RequestApproval);

        Assert.True((await ask.RunAsync(request, CancellationToken.None)).Succeeded);
        Assert.True((await ask.RunAsync(nextRun, CancellationToken.None)).Succeeded);

        Assert.Equal(2, ApprovalLinksSent(pod).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, (await StoredApprovalsAsync(request.InstanceId)).Count);
    }

    private List<string> ApprovalLinksSent(string pod) => host.Channels.Requests
        .Select(request => System.Text.Encoding.UTF8.GetString(request.Body))
        .Where(text => text.Contains(pod, StringComparison.Ordinal))
        .Select(text => System.Text.RegularExpressions.Regex.Match(text, @"/api/approvals/[A-Za-z0-9_\-\.]+").Value)
        .Where(link => link.Length > 0)
        .ToList();

    /// <summary>The token hashes of the approval requests stored in the pod's partition.</summary>
    private async Task<List<string>> StoredApprovalsAsync(string instanceId)
    {
        const string Prefix = "approval~";
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {TableKey.Encode(instanceId)} and RowKey ge {Prefix} and RowKey lt {"approval\u007f"}");
        var hashes = new List<string>();
        await foreach (var row in host.Get<LedgerTables>().Isolations.QueryAsync<Azure.Data.Tables.TableEntity>(filter, select: ["RowKey"]))
        {
            hashes.Add(row.RowKey[Prefix.Length..]);
        }

        return hashes;
    }

    [Fact]
    public async Task Release_ThePodIsGone_ItsPoliciesAreDeleted_TheRecordSaysReleasedAndWhy()
    {
        var pod = host.TakePod();
        var isolate = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        await host.KubeSim.Store.DeleteAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None);
        var request = ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" });
        var id = ActivityTargets.IsolationId(request.Alert.Target);

        var result = await host.Activity(ActivityNames.ReleasePod).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Empty(await new ClusterView(host).PoliciesForAsync(pod, quarantineId: null));
        Assert.Equal(IsolationStatus.Released, (await isolations.GetAsync(id, CancellationToken.None))?.Status);
        var released = Assert.Single(await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None), entry => entry.Action == AuditAction.Released);
        Assert.Equal($"the pod no longer exists; its quarantine policies were removed; pod shop/{pod} no longer exists; its quarantine policies were deleted", released.Detail);
    }

    [Fact]
    public async Task Release_SavedLabelsAnnotationNotAMapOfLabels_FailedRecordNamesItAndThePod_PodStaysFenced()
    {
        var pod = host.TakePod();
        var isolate = ActivityCalls.Request("step-activities", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        await host.KubeSim.Store.PatchAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = "[\"app\"]" } } }, CancellationToken.None);
        var before = await new ClusterView(host).MetadataAsync(pod);
        var quarantineId = await new ClusterView(host).QuarantineIdAsync(pod);
        var request = ActivityCalls.Request("step-activities", pod, new ReleaseStep { Id = "release" });
        var id = ActivityTargets.IsolationId(request.Alert.Target);

        var result = await host.Activity(ActivityNames.ReleasePod).RunAsync(request, CancellationToken.None);

        var reason = $"invalid: pod {LocalHostFixture.Namespace}/{pod} carries a {QuarantineNames.SavedLabelsAnnotation} annotation that is not a JSON object of label values, "
            + "so the labels to give back are not known" + Containment.Isolation.Actions.Release.ReleasePod.StillFenced;
        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.Equal(reason, result.Reason);
        var record = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Failed, reason), (record?.Status, record?.FailureReason));
        var entry = (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1];
        Assert.Equal((AuditAction.ReleaseFailed, reason), (entry.Action, entry.Detail));
        Assert.Equal(before, await new ClusterView(host).MetadataAsync(pod));
        Assert.NotNull(quarantineId);
        Assert.NotEmpty(await new ClusterView(host).PoliciesForAsync(pod, quarantineId));
    }

    [Fact]
    public async Task SetEventStatus_ChangesTheEventOnceWithOneAuditEntry()
    {
        var request = ActivityCalls.Request("step-activities", host.TakePod(), new SetEventStatusStep { Id = "mark", Status = EventStatus.Ignored, Reason = "a known scanner" });
        var id = ActivityTargets.EventId(request.Alert);
        await StoreEventAsync(request.Alert, id);

        var first = await host.Activity(ActivityNames.SetEventStatus).RunAsync(request, CancellationToken.None);
        var again = await host.Activity(ActivityNames.SetEventStatus).RunAsync(request, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
        var stored = await events.GetAsync(id, CancellationToken.None);
        Assert.Equal(EventStatus.Ignored, stored?.Status);
        Assert.Equal("a known scanner", stored!.StatusReason);
        Assert.Equal(ActivityTargets.ProductActor, stored.ChangedBy);
        var entry = Assert.Single(await audit.ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None));
        Assert.Equal(AuditAction.EventStatusChanged, entry.Action);
        Assert.Equal(request.InstanceId, entry.RunInstanceId);
    }

    [Fact]
    public async Task SetEventStatus_EventNotStored_StoresTheRunsEventWithTheStatus_AndSaysSoInTheAuditTrail()
    {
        // The delivery that started the run did not store its event (its insert failed after the run's, or the host stopped between).
        var request = ActivityCalls.Request("step-activities", host.TakePod(), new SetEventStatusStep { Id = "mark", Status = EventStatus.Ignored, Reason = "a known scanner" });
        var id = ActivityTargets.EventId(request.Alert);

        var result = await host.Activity(ActivityNames.SetEventStatus).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var stored = await events.GetAsync(id, CancellationToken.None);
        Assert.Equal(EventStatus.Ignored, stored?.Status);
        Assert.Equal("a known scanner", stored!.StatusReason);
        Assert.Equal(request.InstanceId, stored.RunInstanceId);
        Assert.Equal(request.Playbook, stored.Playbook);
        Assert.Equal(request.Alert.Id, stored.Alert.Id);
        Assert.Equal(
            [AuditAction.EventStoredByRun, AuditAction.EventStatusChanged],
            (await audit.ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task SetEventStatus_EventNotStored_StatusItWouldBeStoredWith_TellsOnlyThatTheRunStoredIt()
    {
        var request = ActivityCalls.Request("step-activities", host.TakePod(), new SetEventStatusStep { Id = "mark", Status = EventStatus.Unprocessed, Reason = "look again" });
        var id = ActivityTargets.EventId(request.Alert);

        var result = await host.Activity(ActivityNames.SetEventStatus).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(EventStatus.Unprocessed, (await events.GetAsync(id, CancellationToken.None))?.Status);
        Assert.Equal([AuditAction.EventStoredByRun], (await audit.ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task Isolate_EventNotStored_StoresItProcessed()
    {
        var request = ActivityCalls.Request("step-activities", host.TakePod(), new IsolateStep { Id = "isolate", MarkEventProcessed = true });
        var id = ActivityTargets.EventId(request.Alert);

        var result = await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(IsolationStatus.Isolated, (await isolations.GetAsync(ActivityTargets.IsolationId(request.Alert.Target), CancellationToken.None))?.Status);
        Assert.Equal(EventStatus.Processed, (await events.GetAsync(id, CancellationToken.None))?.Status);
        var trail = await audit.ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None);
        Assert.Equal([AuditAction.EventStoredByRun, AuditAction.EventStatusChanged], trail.Select(entry => entry.Action));
        Assert.Equal("unprocessed → processed: the pod was isolated", trail[1].Detail);
    }

    [Fact]
    public async Task Notify_RunsFirstStep_EventNotStored_StoresTheRunsEvent()
    {
        // A notify-only run whose delivery did not store its event (its insert failed after the run's, or the host stopped between).
        var request = ActivityCalls.Request("step-activities", host.TakePod(), Tell()) with { Channel = "soc-teams", StoresRunEvent = true };
        var id = ActivityTargets.EventId(request.Alert);

        var result = await host.Activity(ActivityNames.Notify).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var stored = await events.GetAsync(id, CancellationToken.None);
        Assert.Equal(EventStatus.Unprocessed, stored?.Status);
        Assert.Equal(request.InstanceId, stored!.RunInstanceId);
        Assert.Equal([AuditAction.EventStoredByRun], (await audit.ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task Notify_LaterStep_StoresNoEvent()
    {
        var request = ActivityCalls.Request("step-activities", host.TakePod(), Tell()) with { Channel = "soc-teams" };

        var result = await host.Activity(ActivityNames.Notify).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Null(await events.GetAsync(ActivityTargets.EventId(request.Alert), CancellationToken.None));
    }

    [Fact]
    public async Task Isolate_RunsFirstStep_EventNotStored_StoredOnceAndProcessed()
    {
        // The first step's store and the isolation's marking go at once; whichever inserts, the trail tells each once.
        var request = ActivityCalls.Request("step-activities", host.TakePod(), new IsolateStep { Id = "isolate", MarkEventProcessed = true }) with { StoresRunEvent = true };
        var id = ActivityTargets.EventId(request.Alert);

        var result = await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal(EventStatus.Processed, (await events.GetAsync(id, CancellationToken.None))?.Status);
        Assert.Equal(
            [AuditAction.EventStoredByRun, AuditAction.EventStatusChanged],
            (await audit.ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    private static NotifyStep Tell() => new() { Id = "tell", Channels = ["soc-teams"], Template = NotificationTemplate.Isolated };

    [Fact]
    public async Task CordonNode_CordonsThePodsNodeOnce_AndSaysSoInTheAuditTrail()
    {
        var (pod, node) = await PodOnOwnNodeAsync();
        var request = ActivityCalls.Request("step-activities", pod, new CordonNodeStep { Id = "cordon" });
        var id = ActivityTargets.IsolationId(request.Alert.Target);

        var first = await host.Activity(ActivityNames.CordonNode).RunAsync(request, CancellationToken.None);
        var again = await host.Activity(ActivityNames.CordonNode).RunAsync(request, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
        var cordoned = await host.KubeSim.Store.GetAsync(ResourceCatalog.Nodes, null, node, CancellationToken.None);
        Assert.True((bool?)cordoned!["spec"]!["unschedulable"]);
        Assert.Equal(
            [$"node {node} cordoned for pod {LocalHostFixture.Namespace}/{pod}", $"node {node} is already cordoned for pod {LocalHostFixture.Namespace}/{pod}"],
            (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Where(item => item.Action == AuditAction.NodeCordoned).Select(item => item.Detail));
    }

    [Fact]
    public async Task CordonNode_Forbidden_FailsWithTheApiServersReason_WritesNothing()
    {
        var (pod, node) = await PodOnOwnNodeAsync();
        var request = ActivityCalls.Request("step-activities", pod, new CordonNodeStep { Id = "cordon" });
        var forbidden = new FaultRule { Method = "PATCH", PathPrefix = $"/api/v1/nodes/{node}", StatusCode = 403, Count = 1 };
        host.KubeSim.Faults.Add(forbidden);
        try
        {
            var result = await host.Activity(ActivityNames.CordonNode).RunAsync(request, CancellationToken.None);

            Assert.False(result.Succeeded);
            Assert.False(result.Retryable);
            Assert.Contains("forbidden", result.Reason, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, host.KubeSim.Faults.Fired(forbidden));
            Assert.Null((await host.KubeSim.Store.GetAsync(ResourceCatalog.Nodes, null, node, CancellationToken.None))!["spec"]?["unschedulable"]);
            Assert.Empty(await audit.ListAsync(AuditSubject.Isolation, ActivityTargets.IsolationId(request.Alert.Target), CancellationToken.None));
        }
        finally
        {
            host.KubeSim.Faults.Remove(forbidden);
        }
    }

    [Fact]
    public async Task UncordonNode_GivesBackTheNodeTheCordonHeld_AndSaysSoInTheAuditTrail()
    {
        var (pod, node) = await PodOnOwnNodeAsync();
        var cordon = ActivityCalls.Request("step-activities", pod, new CordonNodeStep { Id = "cordon" });
        var uncordon = cordon with { Step = new UncordonNodeStep { Id = "uncordon" } };
        var id = ActivityTargets.IsolationId(cordon.Alert.Target);
        await host.Activity(ActivityNames.CordonNode).RunAsync(cordon, CancellationToken.None);

        var first = await host.Activity(ActivityNames.UncordonNode).RunAsync(uncordon, CancellationToken.None);
        var again = await host.Activity(ActivityNames.UncordonNode).RunAsync(uncordon, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
        var given = await host.KubeSim.Store.GetAsync(ResourceCatalog.Nodes, null, node, CancellationToken.None);
        Assert.Null(given!["spec"]!["unschedulable"]);
        Assert.Equal(
            [$"node {node} uncordoned: it was cordoned for pod {LocalHostFixture.Namespace}/{pod} alone"],
            (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Where(item => item.Action == AuditAction.NodeUncordoned).Select(item => item.Detail));
    }

    [Fact]
    public async Task UncordonNode_Forbidden_FailsWithTheApiServersReason_TheNodeStaysCordoned()
    {
        var (pod, node) = await PodOnOwnNodeAsync();
        var cordon = ActivityCalls.Request("step-activities", pod, new CordonNodeStep { Id = "cordon" });
        await host.Activity(ActivityNames.CordonNode).RunAsync(cordon, CancellationToken.None);
        var forbidden = new FaultRule { Method = "PATCH", PathPrefix = $"/api/v1/nodes/{node}", StatusCode = 403, Count = 1 };
        host.KubeSim.Faults.Add(forbidden);
        try
        {
            var result = await host.Activity(ActivityNames.UncordonNode).RunAsync(cordon with { Step = new UncordonNodeStep { Id = "uncordon" } }, CancellationToken.None);

            Assert.False(result.Succeeded);
            Assert.False(result.Retryable);
            Assert.Contains("forbidden: the identity may not patch nodes", result.Reason, StringComparison.Ordinal);
            Assert.True((bool?)(await host.KubeSim.Store.GetAsync(ResourceCatalog.Nodes, null, node, CancellationToken.None))!["spec"]!["unschedulable"]);
        }
        finally
        {
            host.KubeSim.Faults.Remove(forbidden);
        }
    }

    [Fact]
    public async Task DeletePod_DeletesOnce_SecondTimeSaysItWasGone()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("step-activities", pod, new DeletePodStep { Id = "delete", GracePeriod = TimeSpan.Zero });
        var id = ActivityTargets.IsolationId(request.Alert.Target);

        var first = await host.Activity(ActivityNames.DeletePod).RunAsync(request, CancellationToken.None);
        var again = await host.Activity(ActivityNames.DeletePod).RunAsync(request, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
        Assert.Null(await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None));
        Assert.Equal(
            [$"pod shop/{pod} deleted", $"pod shop/{pod} was already gone"],
            (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Where(item => item.Action == AuditAction.PodDeleted).Select(item => item.Detail));
    }

    [Fact]
    public async Task DeletePod_ProtectedNamespace_RefusedWithoutACall()
    {
        var request = ActivityCalls.Request("step-activities", "coredns-1", new DeletePodStep { Id = "delete" }, "kube-system");
        var requests = host.KubeSim.Requests.Count("DELETE", "/api/v1/namespaces/kube-system/pods/coredns-1");

        var result = await host.Activity(ActivityNames.DeletePod).RunAsync(request, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.Equal("namespace kube-system is protected: Containment does not delete pods there", result.Reason);
        Assert.Equal(requests, host.KubeSim.Requests.Count("DELETE", "/api/v1/namespaces/kube-system/pods/coredns-1"));
    }


    /// <summary>A NetworkPolicy, not Containment's, that selects only this request's quarantine label.</summary>
    private async Task PolicySelectingQuarantineAsync(ActivityRequest request, string name, string ingress, string? egress = null)
    {
        var types = egress is null ? """["Ingress"]""" : """["Ingress","Egress"]""";
        var policy = $$$"""
            {"metadata":{"name":"{{{name}}}-{{{request.Alert.Target.Pod}}}"},
             "spec":{"podSelector":{"matchLabels":{"containment.io/quarantine":"{{{ActivityTargets.QuarantineId(request.Alert.Target)}}}"}},
                     "policyTypes":{{{types}}},"ingress":{{{ingress}}},"egress":{{{egress ?? "[]"}}}}}
            """;
        await host.KubeSim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, LocalHostFixture.Namespace, JsonNode.Parse(policy)!.AsObject(), CancellationToken.None);
    }

    private async Task StoreEventAsync(Alert alert, string id)
    {
        var now = DateTimeOffset.UtcNow;
        await events.AddAsync(
            new SecurityEventRecord { Id = id, Alert = alert, Status = EventStatus.Unprocessed, ReceivedAt = now, ChangedAt = now, ChangedBy = ActivityTargets.ProductActor },
            CancellationToken.None);
    }

    private Task<(string Pod, string Node)> PodOnOwnNodeAsync() => host.PodOnOwnNodeAsync();

    /// <summary>The pod carries a quarantine label, and its fence selects that label: no moment leaves it open.</summary>
    private async Task AssertFencedAsQuarantinedAsync(string pod)
    {
        var carried = (string?)(await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None))!["metadata"]!["labels"]![QuarantineNames.QuarantineLabel];
        var fence = await host.KubeSim.Store.GetAsync(ResourceCatalog.NetworkPolicies, LocalHostFixture.Namespace, QuarantineNames.PolicyName(pod), CancellationToken.None);
        Assert.NotNull(carried);
        Assert.NotNull(fence);
        Assert.Equal(carried, (string?)fence["spec"]!["podSelector"]!["matchLabels"]![QuarantineNames.QuarantineLabel]);
    }

    private static Task WhileAsync(Func<bool> condition) =>
        RealTimeLimit.UntilAsync(() => !condition(), "the condition still held", TimeSpan.FromSeconds(30));

    private const string PoliciesPath = "/apis/networking.k8s.io/v1/namespaces/" + LocalHostFixture.Namespace + "/networkpolicies";
}
