using Containment.Activities;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Tests.Support;
using KubeSim;
using QuarantineNames = Containment.Isolation.QuarantineNames;
using RunStamp = Containment.Isolation.RunStamp;

namespace Containment.Tests.Reliability;

/// <summary>
/// Under Durable Functions a step already running goes on after its run is ended (a release by hand, a takeover), while
/// a later run of the pod acts on it. The later run's isolation or release stands, on the cluster as in the ledger.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class EndedRunStepTests(LocalHostFixture host)
{
    private static readonly DateTimeOffset EarlierRun = DateTimeOffset.UtcNow.AddMinutes(-10);
    private static readonly DateTimeOffset LaterRun = EarlierRun.AddMinutes(5);
    private static readonly DateTimeOffset ThirdRun = LaterRun.AddMinutes(5);

    private readonly IsolationLedger isolations = host.Get<IsolationLedger>();
    private readonly AuditTrail audit = host.Get<AuditTrail>();
    private readonly ClusterView cluster = new(host);

    [Fact]
    public async Task Release_AfterALaterRunIsolatedThePod_StopsAndLeavesThePodAndTheRecordToThatRun()
    {
        var pod = host.TakePod();
        var isolate = Isolate(pod, EarlierRun);
        var takeOver = Isolate(pod, LaterRun) with { CallId = "take-over" };
        var id = ActivityTargets.IsolationId(isolate.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(takeOver, CancellationToken.None)).Succeeded);
        var before = await isolations.GetAsync(id, CancellationToken.None);

        var stopped = await host.Activity(ActivityNames.ReleasePod).RunAsync(Release(pod, EarlierRun), CancellationToken.None);
        var isolatedAgain = await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate with { CallId = "isolate-again" }, CancellationToken.None);

        Assert.True(stopped is { Succeeded: false, Retryable: false });
        Assert.StartsWith("a later run of the pod", stopped.Reason, StringComparison.Ordinal);
        Assert.True(isolatedAgain is { Succeeded: false, Retryable: false });
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(IsolationStatus.Isolated, after?.Status);
        Assert.Equal(LaterRun, after!.IsolatingRunStartedAt);
        Assert.Equal((before!.ChangedByCall, before.ChangedAt), (after.ChangedByCall, after.ChangedAt));
        Assert.Equal([QuarantineNames.QuarantineLabel], (await cluster.PodAsync(pod))["metadata"]!["labels"]!.AsObject().Select(label => label.Key));
    }

    [Fact]
    public async Task Isolate_AfterALaterRunReleasedThePod_GivesThePodBackAndLeavesTheRecordToThatRun()
    {
        // A release by hand ended the run while its isolation was still trying: the isolation lands after the release.
        var pod = host.TakePod();
        var original = await cluster.MetadataAsync(pod);
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var released = await isolations.GetAsync(id, CancellationToken.None);

        var stale = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, EarlierRun), CancellationToken.None);

        Assert.True(stale is { Succeeded: false, Retryable: false });
        Assert.StartsWith($"a later run of the pod (started {LaterRun:u}) has released it since", stale.Reason, StringComparison.Ordinal);
        Assert.Contains("labels were given back", stale.Reason, StringComparison.Ordinal);
        Assert.Equal(original, await cluster.MetadataAsync(pod));
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(IsolationStatus.Released, after?.Status);
        Assert.Equal((released!.ChangedByCall, released.ChangedAt, LaterRun), (after!.ChangedByCall, after.ChangedAt, after.ChangedByRunStartedAt));
        var trail = await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None);
        Assert.Equal([AuditAction.Isolated, AuditAction.Released, AuditAction.IsolationWithdrawn], trail.Select(entry => entry.Action));
    }

    [Fact]
    public async Task Isolate_AfterALaterRunReleasedThePod_GivingBackIsRefused_TheRecordSaysIsolatedAgain()
    {
        // The isolation's relabel is carried out and its answer held; meanwhile the cluster starts refusing the give-back.
        var pod = host.TakePod();
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var (isolating, letGo) = await StaleIsolationHeldAtItsRelabelAnswerAsync(pod);
        var forbidden = new FaultRule { Method = "PATCH", PathPrefix = PodPath(pod), StatusCode = 403 };
        host.KubeSim.Faults.Add(forbidden);

        letGo.SetResult();
        var stale = await isolating;

        Assert.Equal(1, host.KubeSim.Faults.Fired(forbidden));
        Assert.True(stale is { Succeeded: false, Retryable: false });
        Assert.Contains("has released it since; this call stops so as not to undo that; giving the pod back failed, so it stays quarantined", stale.Reason, StringComparison.Ordinal);
        Assert.NotNull(await cluster.QuarantineIdAsync(pod));
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Isolated, stale.Reason, LaterRun), (after!.Status, after.FailureReason, after.ChangedByRunStartedAt));
        Assert.Equal(AuditAction.IsolationWithdrawn, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1].Action);
    }

    [Fact]
    public async Task Isolate_AfterALaterRunReleasedThePod_AThirdRunIsolatesItBeforeTheGiveBack_LeavesItToTheThirdRun()
    {
        // The ended run's isolation finds the release in the record; before it reads the pod to give it back, a third run
        // of the pod isolates it. Giving the labels back now would undo the third run's isolation.
        var pod = host.TakePod();
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var (stale, heldRead) = await StaleIsolationHeldAtItsGiveBackReadAsync(pod);

        var third = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, ThirdRun) with { CallId = "third" }, CancellationToken.None);
        heldRead.SetResult();
        var stopped = await stale;

        Assert.True(third.Succeeded, third.Reason);
        Assert.True(stopped is { Succeeded: false, Retryable: false });
        Assert.StartsWith($"a later run of the pod (started {ThirdRun:u}) has isolated it since", stopped.Reason, StringComparison.Ordinal);
        Assert.Equal(RunStamp.Of(ThirdRun), (await cluster.PodAsync(pod))["metadata"]!["annotations"]?[QuarantineNames.RunAnnotation]?.GetValue<string>());
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Isolated, ThirdRun, (string?)null), (after!.Status, after.ChangedByRunStartedAt, after.FailureReason));
        Assert.DoesNotContain(AuditAction.IsolationWithdrawn, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task Isolate_AfterALaterRunReleasedThePod_ThePodIsGoneBeforeTheGiveBack_StopsWithNothingToGiveBack()
    {
        var pod = host.TakePod();
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var released = await isolations.GetAsync(id, CancellationToken.None);
        var (stale, heldRead) = await StaleIsolationHeldAtItsGiveBackReadAsync(pod);

        await host.KubeSim.Store.DeleteAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None);
        heldRead.SetResult();
        var stopped = await stale;

        Assert.True(stopped is { Succeeded: false, Retryable: false });
        Assert.Equal($"a later run of the pod (started {LaterRun:u}) has released it since; this call stops so as not to undo that", stopped.Reason);
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Released, released!.ChangedAt, LaterRun), (after!.Status, after.ChangedAt, after.ChangedByRunStartedAt));
        Assert.Equal([AuditAction.Isolated, AuditAction.Released], (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task Isolate_AfterALaterRunReleasedThePod_GiveBackRefusedWhileAThirdRunIsolates_TheRecordStaysTheThirdRuns()
    {
        // The give-back is refused, but a third run has isolated the pod and written its record meanwhile: the ended run's
        // "stays quarantined until released by hand" must not overwrite the third run's record.
        var pod = host.TakePod();
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var (isolating, letGo) = await StaleIsolationHeldAtItsRelabelAnswerAsync(pod);
        var refuse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refusedLater = new FaultRule { Method = "PATCH", PathPrefix = PodPath(pod), StatusCode = 403, Until = refuse.Task };
        host.KubeSim.Faults.Add(refusedLater);
        letGo.SetResult();
        await WhileAsync(() => host.KubeSim.Faults.Fired(refusedLater) == 0 && !isolating.IsCompleted);

        var third = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, ThirdRun) with { CallId = "third" }, CancellationToken.None);
        var thirdsRecord = await isolations.GetAsync(id, CancellationToken.None);
        refuse.SetResult();
        var stopped = await isolating;

        Assert.True(third.Succeeded, third.Reason);
        Assert.True(stopped is { Succeeded: false, Retryable: false });
        Assert.Contains("giving the pod back failed, so it stays quarantined", stopped.Reason, StringComparison.Ordinal);
        Assert.EndsWith($"a later run of the pod (started {ThirdRun:u}) has isolated it since; this call stops so as not to undo that", stopped.Reason, StringComparison.Ordinal);
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Isolated, ThirdRun, thirdsRecord!.ChangedAt, (string?)null), (after!.Status, after.ChangedByRunStartedAt, after.ChangedAt, after.FailureReason));
        Assert.DoesNotContain(AuditAction.IsolationWithdrawn, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
        Assert.Equal(RunStamp.Of(ThirdRun), (await cluster.PodAsync(pod))["metadata"]!["annotations"]?[QuarantineNames.RunAnnotation]?.GetValue<string>());
    }

    [Fact]
    public async Task Isolate_AfterALaterRunsIsolationFailed_LeavesThePodQuarantinedAndTheRecordToThatRun()
    {
        // The later run was refused; the ended run's isolation lands. The pod stays cut off: the later run wanted it so.
        var pod = host.TakePod();
        host.KubeSim.Faults.Add(new FaultRule { Method = "PATCH", PathPrefix = PodPath(pod), StatusCode = 403 });
        var refused = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, LaterRun), CancellationToken.None);
        var id = ActivityTargets.IsolationId(Isolate(pod, LaterRun).Alert.Target);
        var failed = await isolations.GetAsync(id, CancellationToken.None);

        var stale = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, EarlierRun), CancellationToken.None);

        Assert.False(refused.Succeeded);
        Assert.True(stale is { Succeeded: false, Retryable: false });
        Assert.StartsWith($"a later run of the pod (started {LaterRun:u}) has made its isolation record failed since", stale.Reason, StringComparison.Ordinal);
        Assert.NotNull(await cluster.QuarantineIdAsync(pod));
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal((IsolationStatus.Failed, failed!.ChangedAt), (after!.Status, after.ChangedAt));
        Assert.Equal([AuditAction.IsolationFailed], (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task Release_AfterALaterRunReleasedThePod_WritesNothing()
    {
        var pod = host.TakePod();
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var released = await isolations.GetAsync(id, CancellationToken.None);

        var stale = await host.Activity(ActivityNames.ReleasePod).RunAsync(Release(pod, EarlierRun), CancellationToken.None);

        Assert.True(stale is { Succeeded: false, Retryable: false });
        Assert.StartsWith($"a later run of the pod (started {LaterRun:u}) has released it since", stale.Reason, StringComparison.Ordinal);
        var after = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(
            (IsolationStatus.Released, released!.ChangedByCall, released.ChangedAt, LaterRun),
            (after!.Status, after.ChangedByCall, after.ChangedAt, after.ChangedByRunStartedAt));
        Assert.Equal(2, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task DeletePod_AfterALaterRunReleasedThePod_DeletesNothing()
    {
        // The person released the pod by hand; the ended run's deletePod step was still trying.
        var pod = host.TakePod();
        var id = await IsolateAndReleaseAsync(pod, LaterRun);
        var delete = ActivityCalls.Request("ended-runs", pod, new DeletePodStep { Id = "delete" }) with { RunStartedAt = EarlierRun };

        var stale = await host.Activity(ActivityNames.DeletePod).RunAsync(delete, CancellationToken.None);

        Assert.True(stale is { Succeeded: false, Retryable: false });
        Assert.StartsWith($"a later run of the pod (started {LaterRun:u}) has released it since", stale.Reason, StringComparison.Ordinal);
        Assert.NotNull(await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None));
        Assert.DoesNotContain(AuditAction.PodDeleted, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(entry => entry.Action));
    }

    [Fact]
    public async Task DeletePod_ALaterRunRestoredThePodBeforeItsRecordLanded_DeletesNothing()
    {
        // The record still names this run's isolation: the later release writes its record once the pod is restored.
        var pod = host.TakePod();
        var isolate = Isolate(pod, EarlierRun);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        var restored = await host.Get<Containment.Isolation.Actions.Release.ReleasePod>().ReleaseAsync(ActivityTargets.Pod(isolate.Alert.Target), LaterRun, CancellationToken.None);
        var delete = ActivityCalls.Request("ended-runs", pod, new DeletePodStep { Id = "delete" }) with { RunStartedAt = EarlierRun };

        var stale = await host.Activity(ActivityNames.DeletePod).RunAsync(delete, CancellationToken.None);

        Assert.Equal(Containment.Isolation.ReleaseStatus.Released, restored.Status);
        Assert.Equal(EarlierRun, (await isolations.GetAsync(ActivityTargets.IsolationId(isolate.Alert.Target), CancellationToken.None))?.ChangedByRunStartedAt);
        Assert.True(stale is { Succeeded: false, Retryable: false });
        Assert.Contains("no longer quarantined, though this run isolated it", stale.Reason, StringComparison.Ordinal);
        Assert.NotNull(await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None));
    }

    [Fact]
    public async Task Release_AnEndedRunIsolatesThePodAfterTheReleaseReadIt_TheReleaseLooksAgainAndGivesItBack()
    {
        // The release reads the pod unquarantined, so it reads the policy before it deletes it; that read is held while the
        // ended run's isolation lands whole. The earlier run's fence is deleted, and the release, reading the pod again,
        // puts it back; the second look releases.
        var pod = host.TakePod();
        var original = await cluster.MetadataAsync(pod);
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new FaultRule { Method = "GET", PathPrefix = $"{Policies}/{QuarantineNames.PolicyName(pod)}", Until = letGo.Task };
        host.KubeSim.Faults.Add(held);
        var releasing = host.Activity(ActivityNames.ReleasePod).RunAsync(Release(pod, LaterRun), CancellationToken.None);
        await WhileAsync(() => host.KubeSim.Faults.Fired(held) == 0 && !releasing.IsCompleted);

        var stale = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, EarlierRun), CancellationToken.None);
        letGo.SetResult();
        var release = await releasing;

        Assert.Equal(1, host.KubeSim.Faults.Fired(held));
        Assert.True(stale.Succeeded, stale.Reason);
        Assert.True(release.Succeeded, release.Reason);
        Assert.Equal(original, await cluster.MetadataAsync(pod));
        Assert.Empty(await cluster.PoliciesForAsync(pod, quarantineId: null));
        var id = ActivityTargets.IsolationId(Isolate(pod, EarlierRun).Alert.Target);
        Assert.Equal(IsolationStatus.Released, (await isolations.GetAsync(id, CancellationToken.None))?.Status);
        var last = (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1];
        Assert.Equal(AuditAction.Released, last.Action);
        Assert.Equal(
            "read again, as the record said isolated (the first look found the pod unquarantined, then quarantined by another run while it deleted the fence, and put the fence back): "
            + $"labels restored (2), policies deleted: NetworkPolicy/{QuarantineNames.PolicyName(pod)}",
            last.Detail);
    }

    private const string Policies = $"/apis/networking.k8s.io/v1/namespaces/{LocalHostFixture.Namespace}/networkpolicies";

    private static string PodPath(string pod) => $"/api/v1/namespaces/{LocalHostFixture.Namespace}/pods/{pod}";

    private static ActivityRequest Isolate(string pod, DateTimeOffset runStartedAt) =>
        ActivityCalls.Request("ended-runs", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false }) with { RunStartedAt = runStartedAt };

    private static ActivityRequest Release(string pod, DateTimeOffset runStartedAt) =>
        ActivityCalls.Request("ended-runs", pod, new ReleaseStep { Id = "release", Reason = "approved" }) with { RunStartedAt = runStartedAt };

    /// <summary>The run that started at <paramref name="runStartedAt"/> isolates the pod and releases it; the pod's isolation record id.</summary>
    private async Task<string> IsolateAndReleaseAsync(string pod, DateTimeOffset runStartedAt)
    {
        var isolated = await host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, runStartedAt), CancellationToken.None);
        var released = await host.Activity(ActivityNames.ReleasePod).RunAsync(Release(pod, runStartedAt), CancellationToken.None);
        Assert.True(isolated.Succeeded && released.Succeeded, isolated.Reason ?? released.Reason);
        return ActivityTargets.IsolationId(Isolate(pod, runStartedAt).Alert.Target);
    }

    /// <summary>
    /// An isolation of the earliest run, ended by the later run's release: its relabel is carried out and the answer
    /// held. Set the source to let the answer go.
    /// </summary>
    private async Task<(Task<ActivityResult> Isolating, TaskCompletionSource HeldAnswer)> StaleIsolationHeldAtItsRelabelAnswerAsync(string pod)
    {
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldAnswer = new FaultRule { Method = "PATCH", PathPrefix = PodPath(pod), DelayResponse = true, Until = letGo.Task };
        host.KubeSim.Faults.Add(heldAnswer);
        var isolating = host.Activity(ActivityNames.IsolatePod).RunAsync(Isolate(pod, EarlierRun), CancellationToken.None);
        await WhileAsync(() => host.KubeSim.Faults.Fired(heldAnswer) == 0 && !isolating.IsCompleted);
        return (isolating, letGo);
    }

    /// <summary>
    /// An isolation of the earliest run, ended by the later run's release: it relabels the pod, finds the release in the
    /// record, and is held at its read of the pod to give it back. Set the source to let the read go.
    /// </summary>
    private async Task<(Task<ActivityResult> Isolating, TaskCompletionSource HeldRead)> StaleIsolationHeldAtItsGiveBackReadAsync(string pod)
    {
        var (isolating, letGo) = await StaleIsolationHeldAtItsRelabelAnswerAsync(pod);
        var heldRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = new FaultRule { Method = "GET", PathPrefix = PodPath(pod), Until = heldRead.Task };
        host.KubeSim.Faults.Add(read);
        letGo.SetResult();
        await WhileAsync(() => host.KubeSim.Faults.Fired(read) == 0 && !isolating.IsCompleted);
        Assert.False(isolating.IsCompleted, "the isolation ended before it read the pod to give it back");
        return (isolating, heldRead);
    }

    private static Task WhileAsync(Func<bool> condition) =>
        RealTimeLimit.UntilAsync(() => !condition(), "the condition still held", TimeSpan.FromSeconds(30));
}
