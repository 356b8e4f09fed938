using System.Text.Json.Nodes;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.Release;
using Containment.Tests.Support;
using global::KubeSim;

namespace Containment.Tests.Isolation;

public sealed class ReleasePodTests
{
    [Fact]
    public async Task ReleaseAsync_IsolatedPod_RestoresLabelsAndAnnotationsByteForByte()
    {
        await using var harness = await IsolationHarness.StartAsync(cilium: true);
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);
        var after = await MetadataJsonAsync(http);

        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Annotations, after.Annotations);
        Assert.Equal(["NetworkPolicy/containment-quarantine-web-7d9f-abcde", "CiliumNetworkPolicy/containment-quarantine-web-7d9f-abcde"], outcome.DeletedPolicies);
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", PolicyName, CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseAsync_QuarantineLabelPutOnByHand_TakesOffThatLabelAlone()
    {
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await LabelByHandAsync(http);
        harness.Sim.Requests.Reset();

        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);

        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Contains("put on by hand", Assert.Single(outcome.Notes), StringComparison.Ordinal);
        Assert.Empty(outcome.RestoredLabels);
        Assert.Equal(before, await MetadataJsonAsync(http));
        Assert.Equal(1, harness.Sim.Requests.Count("PATCH", "/api/v1"));
    }

    [Fact]
    public async Task IsolateThenRelease_PodNotQuarantinedCarryingSavedLabelsOfItsOwn_GetsItsOwnLabelsBack()
    {
        // Whoever writes the pod's spec can put the saved-labels annotation on it (or copy it from a quarantined pod's
        // YAML). Taken as the pod's labels, a release would give the pod those instead: a role its own labels lack.
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var labelsBefore = (await MetadataJsonAsync(http)).Labels;
        using (var plant = new StringContent(
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = """{"role":"db-admin"}""" } } }.ToJsonString(),
            System.Text.Encoding.UTF8,
            "application/merge-patch+json"))
        {
            (await http.PatchAsync(new Uri(IsolationHarness.PodPath, UriKind.Relative), plant)).EnsureSuccessStatusCode();
        }

        var isolated = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);
        var (labelsAfter, annotationsAfter) = await MetadataJsonAsync(http);

        Assert.Equal(IsolationStatus.Isolated, isolated.Status);
        Assert.DoesNotContain("role", isolated.SavedLabels.Keys);
        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Equal(labelsBefore, labelsAfter);
        Assert.DoesNotContain(QuarantineNames.SavedLabelsAnnotation, annotationsAfter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseAsync_PodNotQuarantinedCarryingSavedLabelsOfItsOwn_KeepsItsLabels_SaysTheAnnotationWasNotUsed()
    {
        // A release by hand of a pod the ledger calls isolated that is not quarantined: the annotation is not Containment's.
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        await PlantSavedLabelsAsync(harness, """{"role":"db-admin"}""");
        var before = await MetadataJsonAsync(http);
        harness.Sim.Requests.Reset();

        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);

        Assert.Equal(ReleaseStatus.NotIsolated, outcome.Status);
        Assert.Empty(outcome.RestoredLabels);
        Assert.Equal(
            $"pod shop/web-7d9f-abcde is not quarantined, so its {QuarantineNames.SavedLabelsAnnotation} annotation is not Containment's and was not used; its labels were left as they are",
            Assert.Single(outcome.Notes));
        Assert.Equal(before, await MetadataJsonAsync(http));
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", "/api/v1"));
    }

    [Theory]
    [InlineData("""{"app":"web",""")]
    [InlineData("""{"app":1}""")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task ReleaseAsync_SavedLabelsAnnotationNotAMapOfLabels_FailsNamingItAndThePod_PodStaysFenced(string annotation)
    {
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        await PlantSavedLabelsAsync(harness, annotation);
        var before = await MetadataJsonAsync(http);
        harness.Sim.Requests.Reset();

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Invalid, error.Failure.Reason);
        Assert.Equal(
            $"invalid: pod shop/web-7d9f-abcde carries a {QuarantineNames.SavedLabelsAnnotation} annotation that is not a JSON object of label values, so the labels to give back are not known"
            + ReleasePod.StillFenced,
            error.Failure.Message);
        Assert.Equal(before, await MetadataJsonAsync(http));
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Equal(0, harness.Sim.Requests.Writes);
    }

    [Fact]
    public async Task IsolateThenRelease_PodLabelledByHandFirst_ReleaseDoesNotGiveTheQuarantineLabelBack()
    {
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await LabelByHandAsync(http);

        var isolated = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);

        Assert.DoesNotContain(QuarantineNames.QuarantineLabel, isolated.SavedLabels.Keys);
        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Equal(before, await MetadataJsonAsync(http));
    }

    [Fact]
    public async Task ReleaseAsync_RestoreAppliedButItsAnswerLost_TheRetrysConflictFindsItDone_SaysTheLabelsCameBack()
    {
        await using var harness = await IsolationHarness.StartAsync(requestTimeout: "00:00:01");
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));
        harness.Sim.Requests.Reset();

        // The API server restores the labels and its answer comes after the client has given up: the retried patch,
        // carrying the resourceVersion read before, meets a 409.
        var lost = new FaultRule { Method = "PATCH", PathPrefix = IsolationHarness.PodPath, Delay = TimeSpan.FromSeconds(3), DelayResponse = true, Count = 1 };
        harness.Sim.Faults.Add(lost);
        var outcome = await harness.DriveAsync(harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None));
        var after = await MetadataJsonAsync(http);

        Assert.Equal(1, harness.Sim.Faults.Fired(lost));
        Assert.Equal(2, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
        Assert.Equal((before.Labels, before.Annotations), (after.Labels, after.Annotations));
        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Equal(JsonNode.Parse(before.Labels)!.AsObject().ToDictionary(label => label.Key, label => (string)label.Value!), outcome.RestoredLabels);
        Assert.Empty(outcome.Notes);
    }

    [Theory]
    [InlineData(false, IsolationHarness.PoliciesPath, "NetworkPolicy")]
    [InlineData(true, "/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies", "CiliumNetworkPolicy")]
    public async Task ReleaseAsync_PolicyDeletedButItsAnswerLost_TheRetrysNotFound_StillSaysItWasDeleted(bool cilium, string collection, string kind)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium, requestTimeout: "00:00:01");
        await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));

        // The API server deletes the policy and its answer comes after the client has given up: the retried delete meets a 404.
        var lost = new FaultRule { Method = "DELETE", PathPrefix = collection, Delay = TimeSpan.FromSeconds(3), DelayResponse = true, Count = 1 };
        harness.Sim.Faults.Add(lost);
        var outcome = await harness.DriveAsync(harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None));

        // The retry reads the policy first and, finding it gone, sends no second delete.
        Assert.Equal(1, harness.Sim.Faults.Fired(lost));
        Assert.Equal(1, harness.Sim.Requests.Count("DELETE", collection));
        Assert.Equal(1, harness.Sim.Requests.Count("GET", $"{collection}/containment-quarantine-web-7d9f-abcde"));
        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Contains($"{kind}/containment-quarantine-web-7d9f-abcde", outcome.DeletedPolicies);
        Assert.Equal(cilium ? 2 : 1, outcome.DeletedPolicies.Count);
    }

    [Fact]
    public async Task ReleaseAsync_FenceDeletedButItsAnswerLost_ALaterQuarantinesFenceMadeMeanwhile_TheRetryLeavesIt()
    {
        await using var harness = await IsolationHarness.StartAsync(requestTimeout: "00:00:01");
        await harness.DriveAsync(harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None));
        var fencePath = $"{IsolationHarness.PoliciesPath}/containment-quarantine-web-7d9f-abcde";
        var letGo = new TaskCompletionSource();
        var heldAnswer = new FaultRule { Method = "DELETE", PathPrefix = fencePath, DelayResponse = true, Until = letGo.Task, Count = 1 };
        harness.Sim.Faults.Add(heldAnswer);
        try
        {
            // The release's delete is carried out and its answer held; a later run's isolation makes its own fence
            // meanwhile (201, before its relabel), under the same name, stamped with its start.
            var releasing = harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
            await RealTimeLimit.UntilAsync(() => harness.Sim.Requests.CarriedOut("DELETE", fencePath) > 0 || releasing.IsCompleted, "the fence delete was not carried out");

            await harness.Sim.Store.CreateAsync(ResourceCatalog.NetworkPolicies, "shop", JsonNode.Parse("""
                {"metadata":{"name":"containment-quarantine-web-7d9f-abcde","labels":{"app.kubernetes.io/managed-by":"containment"},
                             "annotations":{"containment.io/pod":"web-7d9f-abcde","containment.io/run":"LATER"}},
                 "spec":{"podSelector":{"matchLabels":{"containment.io/quarantine":"iso-42"}},"policyTypes":["Ingress","Egress"]}}
                """.Replace("LATER", RunStamp.Of(IsolationHarness.LaterRun), StringComparison.Ordinal))!.AsObject(), CancellationToken.None);
            var outcome = await harness.DriveAsync(releasing);

            Assert.Equal(ReleaseStatus.Released, outcome.Status);
            Assert.Equal(["NetworkPolicy/containment-quarantine-web-7d9f-abcde"], outcome.DeletedPolicies);
            var left = await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None);
            Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), (string?)left?["metadata"]!["annotations"]![QuarantineNames.RunAnnotation]);
        }
        finally
        {
            letGo.TrySetResult();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReleaseAsync_PodGone_ALaterRunRewritesTheFenceBetweenTheGuardsReadAndItsDelete_TheDeleteLeavesIt(bool cilium)
    {
        // The NetworkPolicy, or where Cilium is served the CiliumNetworkPolicy (the NetworkPolicy then goes as usual).
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        await harness.Sim.Store.DeleteAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);
        var (kind, fencePath) = cilium
            ? (ResourceCatalog.CiliumNetworkPolicies, $"/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies/{PolicyName}")
            : (ResourceCatalog.NetworkPolicies, $"{IsolationHarness.PoliciesPath}/{PolicyName}");
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = fencePath, DelayResponse = true, Until = letGo.Task });
        try
        {
            // The guard reads the fence as the earlier run left it, its answer held; meanwhile a later run's isolation
            // writes the fence again, stamped with its start.
            var releasing = harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
            await RealTimeLimit.UntilAsync(() => harness.Sim.Requests.CarriedOut("GET", fencePath) > 0 || releasing.IsCompleted, "the guard's fence read was not carried out");
            await harness.Sim.Store.PatchAsync(kind, "shop", PolicyName, "application/merge-patch+json",
                new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.RunAnnotation] = RunStamp.Of(IsolationHarness.LaterRun) } } },
                CancellationToken.None);
            letGo.SetResult();
            var outcome = await harness.DriveAsync(releasing);

            Assert.Equal(ReleaseStatus.PodGone, outcome.Status);
            Assert.Equal(cilium ? [$"NetworkPolicy/{PolicyName}"] : [], outcome.DeletedPolicies);
            Assert.Equal(1, harness.Sim.Requests.Conflicts("DELETE", fencePath));
            var left = await harness.Sim.Store.GetAsync(kind, "shop", PolicyName, CancellationToken.None);
            Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), (string?)left?["metadata"]!["annotations"]![QuarantineNames.RunAnnotation]);
        }
        finally
        {
            letGo.TrySetResult();
        }
    }

    [Fact]
    public async Task ReleaseAsync_SecondCall_NotIsolatedAndNoPodWrite()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var second = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);

        Assert.Equal(ReleaseStatus.NotIsolated, second.Status);
        Assert.Empty(second.DeletedPolicies);
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", "/api/v1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReleaseAsync_PodVanished_PodGoneWithNoteAndPoliciesDeleted(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        await harness.Sim.Store.DeleteAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);

        // Each delete is guarded (the pod says nothing of its fence) and carries the uid and version its read found.
        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);

        Assert.Equal(ReleaseStatus.PodGone, outcome.Status);
        Assert.Contains("no longer exists", Assert.Single(outcome.Notes), StringComparison.Ordinal);
        Assert.Equal(cilium ? [$"NetworkPolicy/{PolicyName}", $"CiliumNetworkPolicy/{PolicyName}"] : [$"NetworkPolicy/{PolicyName}"], outcome.DeletedPolicies);
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Equal(0, harness.Sim.Requests.Conflicts("DELETE", "/apis"));
    }

    [Fact]
    public async Task ReleaseAsync_LabelRestoreForbidden_PodStaysFencedAndSaysSo_NextReleaseRestoresExactly()
    {
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var forbidden = new FaultRule { Method = "PATCH", PathPrefix = IsolationHarness.PodPath, StatusCode = 403, Count = 1 };
        harness.Sim.Faults.Add(forbidden);

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Forbidden, error.Failure.Reason);
        Assert.Equal("forbidden: the identity may not patch pods \"web-7d9f-abcde\" in namespace shop" + ReleasePod.StillFenced, error.Failure.Message);
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Equal([QuarantineNames.QuarantineLabel], await LabelKeysAsync(harness));

        var retried = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);

        Assert.Equal(ReleaseStatus.Released, retried.Status);
        Assert.Equal(["NetworkPolicy/containment-quarantine-web-7d9f-abcde"], retried.DeletedPolicies);
        Assert.Equal(before, await MetadataJsonAsync(http));
    }

    [Fact]
    public async Task ReleaseAsync_PolicyDeleteForbidden_LabelsRestoredAndSaysThePolicyIsLeft_NextReleaseDeletesIt()
    {
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        harness.Sim.Faults.Add(new FaultRule { Method = "DELETE", PathPrefix = IsolationHarness.PoliciesPath, StatusCode = 403, Count = 1 });

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None));

        Assert.Equal("forbidden: the identity may not delete networkpolicies \"containment-quarantine-web-7d9f-abcde\" in namespace shop" + ReleasePod.RestoredPolicyLeft, error.Failure.Message);
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Equal(before, await MetadataJsonAsync(http));

        var retried = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);

        Assert.Equal(ReleaseStatus.Released, retried.Status);
        Assert.Equal(["NetworkPolicy/containment-quarantine-web-7d9f-abcde"], retried.DeletedPolicies);
        Assert.Null(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
        Assert.Equal(before, await MetadataJsonAsync(http));
    }

    [Fact]
    public async Task ReleaseAsync_LabelsComeBackBeforeTheFenceComesDown()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);
        var held = new FaultRule { Method = "DELETE", PathPrefix = IsolationHarness.PoliciesPath, Delay = TimeSpan.FromSeconds(2), Count = 1 };
        harness.Sim.Faults.Add(held);

        var releasing = harness.Release.ReleaseAsync(IsolationHarness.Pod(), runStartedAt: null, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (harness.Sim.Faults.Fired(held) == 0 && DateTime.UtcNow < deadline && !releasing.IsCompleted)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        // The delete of the fence has arrived and is held: by then the pod has its own labels back.
        var labelsWhenTheFenceWent = await LabelKeysAsync(harness);
        var outcome = await releasing;

        Assert.Equal(1, harness.Sim.Faults.Fired(held));
        Assert.DoesNotContain(QuarantineNames.QuarantineLabel, labelsWhenTheFenceWent);
        Assert.Contains("app", labelsWhenTheFenceWent);
        Assert.Equal(ReleaseStatus.Released, outcome.Status);
    }

    [Fact]
    public async Task ReleaseAsync_RunThatIsolated_GivesThePodBackWithoutItsRunAnnotation()
    {
        await using var harness = await IsolationHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sim.BaseUrl };
        var before = await MetadataJsonAsync(http);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        var stamped = await harness.RunAnnotationAsync();

        var outcome = await harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);
        var after = await MetadataJsonAsync(http);

        Assert.Equal(RunStamp.Of(IsolationHarness.EarlierRun), stamped);
        Assert.Equal(ReleaseStatus.Released, outcome.Status);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Annotations, after.Annotations);
    }

    [Fact]
    public async Task ReleaseAsync_ALaterRunIsolatedThePodSince_StopsAndChangesNothing()
    {
        // Under Durable Functions a release goes on after its run was ended, and the run that took the pod over
        // found it isolated already.
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        var later = await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var stopped = await Assert.ThrowsAsync<SupersededByLaterRunException>(() => harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None));

        Assert.Equal(IsolationStatus.AlreadyIsolated, later.Status);
        Assert.Equal(IsolationHarness.LaterRun, stopped.LaterRunStartedAt);
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", "/api/v1"));
        Assert.Equal(0, harness.Sim.Requests.Count("DELETE", "/apis"));
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), await harness.RunAnnotationAsync());
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseAsync_ALaterRunIsolatedThePodAndItsFenceIsGone_PutsThatRunsFenceBackAndStops()
    {
        // What an earlier try of this release leaves when it deleted the fence the later run had taken up, and then
        // failed to put it back: the pod quarantined, and selected by no policy.
        await using var harness = await IsolationHarness.StartAsync(cilium: true);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        await harness.Sim.Store.DeleteAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None);
        await harness.Sim.Store.DeleteAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", PolicyName, CancellationToken.None);
        harness.Sim.Requests.Reset();

        var stopped = await Assert.ThrowsAsync<SupersededByLaterRunException>(() => harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None));

        var carried = (string?)(await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!["metadata"]!["labels"]![QuarantineNames.QuarantineLabel];
        var fence = await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None);
        var cilium = await harness.Sim.Store.GetAsync(ResourceCatalog.CiliumNetworkPolicies, "shop", PolicyName, CancellationToken.None);
        Assert.Equal(IsolationHarness.LaterRun, stopped.LaterRunStartedAt);
        Assert.NotNull(carried);
        Assert.Equal(carried, (string?)fence!["spec"]!["podSelector"]!["matchLabels"]![QuarantineNames.QuarantineLabel]);
        Assert.Equal(carried, (string?)cilium!["spec"]!["endpointSelector"]!["matchLabels"]![QuarantineNames.QuarantineLabel]);
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), (string?)fence["metadata"]!["annotations"]![QuarantineNames.RunAnnotation]);
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), (string?)cilium["metadata"]!["annotations"]![QuarantineNames.RunAnnotation]);
        Assert.Equal(0, harness.Sim.Requests.Count("PATCH", "/api/v1"));
        Assert.Equal(0, harness.Sim.Requests.Count("DELETE", "/apis"));
    }

    [Fact]
    public async Task ReleaseAsync_ALaterRunIsolatedThePodAndItsFenceCannotBeRead_FailsSayingWhetherTheFenceStandsIsNotKnown()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = "/apis/networking.k8s.io", StatusCode = 403 });

        var failed = await Assert.ThrowsAsync<KubernetesOperationException>(() => harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.Forbidden, failed.Failure.Reason);
        Assert.EndsWith(ReleasePod.LaterFenceUnknown, failed.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), await harness.RunAnnotationAsync());
        Assert.NotNull(await harness.Sim.Store.GetAsync(ResourceCatalog.NetworkPolicies, "shop", PolicyName, CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseAsync_ALaterRunStampsThePodBetweenTheReadAndTheRestore_TheRestoreConflictsAndStops()
    {
        await using var harness = await IsolationHarness.StartAsync();
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.EarlierRun }, CancellationToken.None);
        harness.Sim.Requests.Reset();

        // The release's read is answered as the pod was, 5 s (of the harness's time) late; the later run stamps it meanwhile.
        var heldRead = new FaultRule { Method = "GET", PathPrefix = IsolationHarness.PodPath, Delay = TimeSpan.FromSeconds(5), DelayResponse = true };
        harness.Sim.Faults.Add(heldRead);
        var releasing = harness.Release.ReleaseAsync(IsolationHarness.Pod(), IsolationHarness.EarlierRun, CancellationToken.None);

        // Carried out (the pod read as it was), its answer still held: only then does the later run stamp the pod.
        await RealTimeLimit.UntilAsync(() => harness.Sim.Requests.CarriedOut("GET", IsolationHarness.PodPath) > 0 || releasing.IsCompleted, "the pod read was not carried out");

        await harness.Quarantine.IsolateAsync(IsolationHarness.Request() with { RunStartedAt = IsolationHarness.LaterRun }, CancellationToken.None);
        var stopped = await Assert.ThrowsAsync<SupersededByLaterRunException>(() => harness.DriveAsync(releasing));

        Assert.Equal(1, harness.Sim.Faults.Fired(heldRead));
        Assert.Equal(IsolationHarness.LaterRun, stopped.LaterRunStartedAt);
        Assert.Equal(2, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
        Assert.Equal(0, harness.Sim.Requests.Count("DELETE", "/apis"));
        Assert.Equal(RunStamp.Of(IsolationHarness.LaterRun), await harness.RunAnnotationAsync());
        Assert.Equal(["containment.io/quarantine"], await LabelKeysAsync(harness));
    }

    /// <summary>Puts <paramref name="json"/> in the pod's saved-labels annotation, as anyone who may edit the pod can.</summary>
    private static async Task PlantSavedLabelsAsync(IsolationHarness harness, string json) =>
        await harness.Sim.Store.PatchAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [QuarantineNames.SavedLabelsAnnotation] = json } } }, CancellationToken.None);

    /// <summary>What <c>kubectl label pod web-7d9f-abcde containment.io/quarantine=by-hand</c> does: the label, no annotation.</summary>
    private static async Task LabelByHandAsync(HttpClient http)
    {
        using var patch = new StringContent(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [QuarantineNames.QuarantineLabel] = "by-hand" } } }.ToJsonString(), System.Text.Encoding.UTF8, "application/merge-patch+json");
        using var response = await http.PatchAsync(new Uri(IsolationHarness.PodPath, UriKind.Relative), patch);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<List<string>> LabelKeysAsync(IsolationHarness harness)
    {
        var pod = await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None);
        return [.. pod!["metadata"]!["labels"]!.AsObject().Select(label => label.Key)];
    }

    private static async Task<(string Labels, string Annotations)> MetadataJsonAsync(HttpClient http)
    {
        var pod = JsonNode.Parse(await http.GetStringAsync(IsolationHarness.PodPath))!;
        return (pod["metadata"]!["labels"]!.ToJsonString(), pod["metadata"]!["annotations"]!.ToJsonString());
    }

    private const string PolicyName = "containment-quarantine-web-7d9f-abcde";
}
