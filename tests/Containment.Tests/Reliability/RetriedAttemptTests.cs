using Containment.Activities;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// A try of isolate or release that fails and will be tried again makes the isolation record Isolating (a pod
/// isolated already stays Isolated) or Releasing, and says so in the audit trail; only the last try's failure makes
/// the record Failed. The activities are called
/// as a runtime calls them, against the host's KubeSim and Azurite; a 409 is the failure (retryable, and not
/// retried inside the Kubernetes call, so each try fails at once).
/// </summary>
[Collection(ReliabilityHostCollection.Name)]
public sealed class RetriedAttemptTests(ReliabilityHostFixture host)
{
    private static readonly StepRetryPolicy Retry = new() { MaxAttempts = 3 };

    private readonly IsolationLedger isolations = host.Get<IsolationLedger>();
    private readonly AuditTrail audit = host.Get<AuditTrail>();

    [Fact]
    public async Task IsolateTryFails_NotTheLast_RecordIsolatingWithTheTrysFailure_AuditSaysItWillBeTriedAgain_NextTryIsolates()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("retried-attempts", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false, Retry = Retry });
        var id = ActivityTargets.IsolationId(request.Alert.Target);

        // The relabel's merge patch meets a conflict on its first try and on each of its three re-reads.
        var first = await WithConflictAsync("PATCH", $"/api/v1/namespaces/shop/pods/{pod}", times: 4, () => host.Activity(ActivityNames.IsolatePod).RunAsync(request with { Attempt = 1, MaxAttempts = 3 }, CancellationToken.None));

        Assert.False(first.Succeeded);
        Assert.True(first.Retryable);
        var entry = Assert.Single(await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None));
        Assert.Equal(AuditAction.IsolationAttemptFailed, entry.Action);
        Assert.StartsWith("attempt 1 of 3 failed and will be tried again: conflict", entry.Detail, StringComparison.Ordinal);
        var trying = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(IsolationStatus.Isolating, trying?.Status);
        Assert.Equal(entry.Detail, trying!.FailureReason);
        Assert.Equal([ActivityTargets.EventId(request.Alert)], trying.AlertIds);

        var second = await host.Activity(ActivityNames.IsolatePod).RunAsync(request with { Attempt = 2, MaxAttempts = 3 }, CancellationToken.None);

        Assert.True(second.Succeeded, second.Reason);
        var isolated = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(IsolationStatus.Isolated, isolated?.Status);
        Assert.Null(isolated!.FailureReason);
        Assert.Equal(
            [AuditAction.IsolationAttemptFailed, AuditAction.Isolated],
            (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(item => item.Action));
    }

    [Fact]
    public async Task IsolateLastTryFails_RecordFailedWithTheReason()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("retried-attempts", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false, Retry = Retry });
        var id = ActivityTargets.IsolationId(request.Alert.Target);

        var last = await WithConflictAsync("PATCH", $"/api/v1/namespaces/shop/pods/{pod}", times: 4, () => host.Activity(ActivityNames.IsolatePod).RunAsync(request with { Attempt = 3, MaxAttempts = 3 }, CancellationToken.None));

        Assert.False(last.Succeeded);
        var record = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(IsolationStatus.Failed, record?.Status);
        Assert.Equal(last.Reason, record!.FailureReason);
        Assert.Equal(AuditAction.IsolationFailed, Assert.Single(await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Action);
    }

    [Fact]
    public async Task ReleaseTryFails_NotTheLast_RecordReleasingWithTheTrysFailure_LastTryFailsIt()
    {
        var pod = host.TakePod();
        var isolate = ActivityCalls.Request("retried-attempts", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        var release = ActivityCalls.Request("retried-attempts", pod, new ReleaseStep { Id = "release", Reason = "approved", Retry = Retry });
        var id = ActivityTargets.IsolationId(isolate.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        var restore = $"/api/v1/namespaces/shop/pods/{pod}";

        // The restore reads the pod again after a conflict, three times; the fourth conflict fails the try.
        var first = await WithConflictAsync("PATCH", restore, times: ConflictsThatFailARestore, () => host.Activity(ActivityNames.ReleasePod).RunAsync(release with { Attempt = 1, MaxAttempts = 3 }, CancellationToken.None));

        Assert.True(first is { Succeeded: false, Retryable: true }, first.Reason);
        var releasing = await isolations.GetAsync(id, CancellationToken.None);
        Assert.Equal(IsolationStatus.Releasing, releasing?.Status);
        Assert.Contains("still isolated", releasing!.FailureReason, StringComparison.Ordinal);
        var entry = (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1];
        Assert.Equal(AuditAction.ReleaseAttemptFailed, entry.Action);
        Assert.Equal(entry.Detail, releasing.FailureReason);

        var last = await WithConflictAsync("PATCH", restore, times: ConflictsThatFailARestore, () => host.Activity(ActivityNames.ReleasePod).RunAsync(release with { Attempt = 3, MaxAttempts = 3 }, CancellationToken.None));

        Assert.False(last.Succeeded);
        Assert.Equal(IsolationStatus.Failed, (await isolations.GetAsync(id, CancellationToken.None))?.Status);
        Assert.Equal(AuditAction.ReleaseFailed, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1].Action);
    }

    [Fact]
    public async Task IsolateTryFails_PodIsolatedAlready_RecordStaysIsolated_AuditSaysItWillBeTriedAgain()
    {
        var pod = host.TakePod();
        var request = ActivityCalls.Request("retried-attempts", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false, Retry = Retry });
        var id = ActivityTargets.IsolationId(request.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(request, CancellationToken.None)).Succeeded);
        var before = await isolations.GetAsync(id, CancellationToken.None);

        // Isolated already, the pod is not patched again: the policy's read (the create is skipped) is what fails.
        var again = await WithConflictAsync("GET", $"/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/containment-quarantine-{pod}", times: 1,
            () => host.Activity(ActivityNames.IsolatePod).RunAsync(request with { CallId = "isolate-again", Attempt = 1, MaxAttempts = 3 }, CancellationToken.None));

        Assert.True(again is { Succeeded: false, Retryable: true }, again.Reason);
        Assert.Equal(Stamp(before), Stamp(await isolations.GetAsync(id, CancellationToken.None)));
        Assert.Equal(
            [AuditAction.Isolated, AuditAction.IsolationAttemptFailed],
            (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None)).Select(item => item.Action));
    }

    [Fact]
    public async Task ReleaseTryFails_PodReleasedAlready_RecordStaysReleased_AuditSaysItWillBeTriedAgain()
    {
        var pod = host.TakePod();
        var isolate = ActivityCalls.Request("retried-attempts", pod, new IsolateStep { Id = "isolate", MarkEventProcessed = false });
        var release = ActivityCalls.Request("retried-attempts", pod, new ReleaseStep { Id = "release", Reason = "approved", Retry = Retry });
        var id = ActivityTargets.IsolationId(isolate.Alert.Target);
        Assert.True((await host.Activity(ActivityNames.IsolatePod).RunAsync(isolate, CancellationToken.None)).Succeeded);
        Assert.True((await host.Activity(ActivityNames.ReleasePod).RunAsync(release, CancellationToken.None)).Succeeded);
        var before = await isolations.GetAsync(id, CancellationToken.None);

        var again = await WithConflictAsync("GET", $"/api/v1/namespaces/shop/pods/{pod}", times: 1,
            () => host.Activity(ActivityNames.ReleasePod).RunAsync(release with { CallId = "release-again", Attempt = 1, MaxAttempts = 3 }, CancellationToken.None));

        Assert.True(again is { Succeeded: false, Retryable: true }, again.Reason);
        Assert.Equal(Stamp(before), Stamp(await isolations.GetAsync(id, CancellationToken.None)));
        Assert.Equal(AuditAction.ReleaseAttemptFailed, (await audit.ListAsync(AuditSubject.Isolation, id, CancellationToken.None))[^1].Action);
    }

    private static (IsolationStatus?, DateTimeOffset?, string?) Stamp(IsolationRecord? record) => (record?.Status, record?.ChangedAt, record?.FailureReason);


    private const int ConflictsThatFailARestore = 4;

    private async Task<ActivityResult> WithConflictAsync(string method, string path, int times, Func<Task<ActivityResult>> call)
    {
        var conflict = new FaultRule { Method = method, PathPrefix = path, StatusCode = 409, Count = times };
        host.KubeSim.Faults.Add(conflict);
        try
        {
            var result = await call();
            Assert.Equal(times, host.KubeSim.Faults.Fired(conflict));
            return result;
        }
        finally
        {
            host.KubeSim.Faults.Remove(conflict);
        }
    }
}
