using Containment.Alerts;
using Containment.Intake;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Machine;
using Containment.Tests.Support;

namespace Containment.Tests.Intake;

/// <summary>
/// Admission over the embedded runtime and Azurite, with a catalog of its own: playbooks that only wait, so a
/// pod's run stays unfinished for as long as a test needs, and no catch-all.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertAdmissionTests(AzuriteFixture azurite)
{
    private const string Watch = AdmissionHarness.Watch;
    private const string Contain = AdmissionHarness.Contain;
    private const string ByHand = AdmissionHarness.ByHand;

    [Fact]
    public async Task Admit_NoPlaybookTakesTheAlert_StoredIgnoredWithTheReasonAndNoRunStarts()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var malware = AdmissionHarness.Alert("malware-1", AlertCategory.Malware, "api-1");

        var ignored = await harness.AdmitAsync(malware);

        const string Reason = "no playbook takes malware alerts of severity high in aks-prod/shop";
        Assert.Equal(AdmissionOutcome.Ignored, ignored.Outcome);
        Assert.Equal(Reason, ignored.Reason);
        Assert.Null(ignored.InstanceId);
        Assert.Null(ignored.Playbook);
        var stored = await harness.Events.GetAsync(ignored.EventId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(EventStatus.Ignored, stored.Status);
        Assert.Equal(Reason, stored.StatusReason);
        Assert.Null(stored.RunInstanceId);
        Assert.Null(await harness.Runtime.GetStatusAsync(AdmissionHarness.InstanceOf("api-1"), CancellationToken.None));
    }

    [Fact]
    public async Task Admit_AlertNamingTwoClustersAndNotThePods_IgnoredThoughOneClusterIsConfigured()
    {
        // A Sentinel incident naming pods in two clusters, its pod's own unknown: aks-prod, the only cluster
        // configured, may hold another pod of that name.
        const string Other = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-dr";
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var shell = AdmissionHarness.Alert("incident-1/shop/db-0", AlertCategory.ReverseShell, "db-0");
        shell = shell with { Target = shell.Target with { Cluster = null, ClusterCandidates = ["aks-prod", Other] } };

        var entry = await harness.AdmitAsync(shell);

        Assert.Equal(AdmissionOutcome.Ignored, entry.Outcome);
        Assert.Equal($"the alert names 2 clusters (aks-prod, {Other}) and not which holds pod shop/db-0", entry.Reason);
        Assert.Null(await harness.Runtime.GetStatusAsync(AdmissionHarness.InstanceOf("db-0"), CancellationToken.None));
    }

    [Fact]
    public async Task Admit_AlertNamingTheClusterByAlias_APlaybookExcludingItsResourceIdDoesNotTakeIt()
    {
        const string ProdId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod";
        await using var harness = new AdmissionHarness(azurite.ConnectionString, clusterResourceId: ProdId);
        harness.WritePlaybook("not-prod", priority: 95, $$"""{ "categories": ["reverse-shell"], "clusters": { "exclude": ["{{ProdId}}"] } }""");

        var entry = await harness.AdmitAsync(AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1"));

        Assert.Equal(AdmissionOutcome.Started, entry.Outcome);
        Assert.Equal(Contain, entry.Playbook);
        var stored = await harness.Events.GetAsync(entry.EventId, CancellationToken.None);
        Assert.Equal(ProdId, stored!.Alert.Target.ClusterResourceId);
    }

    [Fact]
    public async Task Admit_HigherPriorityAlertWhileALowerRunHoldsThePod_EndsThatRunAndStartsItsOwn()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var suspicious = AdmissionHarness.Alert("odd-1", AlertCategory.AbnormalProcess, "api-1");
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        var watching = await harness.AdmitAsync(suspicious);
        var watchStatus = await harness.IdleStatusAsync("api-1");
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var taking = await harness.AdmitAsync(shell);
        var status = await harness.IdleStatusAsync("api-1");

        Assert.Equal(AdmissionOutcome.Started, watching.Outcome);
        Assert.Equal(AdmissionOutcome.Started, taking.Outcome);
        Assert.Equal(Contain, taking.Playbook);
        Assert.Equal($"took the pod over from a run of {Watch}", taking.Reason);
        Assert.Equal(Contain, status.Playbook);
        Assert.Equal(watchStatus.StartedAt + TimeSpan.FromMinutes(5), status.StartedAt);
        var entry = Assert.Single(await harness.Audit.ListAsync(AuditSubject.SecurityEvent, taking.EventId, CancellationToken.None));
        Assert.Equal(AuditAction.RunTakenOver, entry.Action);
        Assert.Equal($"ended the pod's run of {Watch} (started {watchStatus.StartedAt:u}) to run {Contain}", entry.Detail);
        Assert.Equal(taking.InstanceId, entry.RunInstanceId);

        // The lower alert delivered again joins the run that took its pod; it does not take it back.
        var again = await harness.AdmitAsync(suspicious);
        Assert.Equal(AdmissionOutcome.Joined, again.Outcome);
        Assert.Equal($"the pod is already handled by a run of {Contain}", again.Reason);
    }

    [Fact]
    public async Task Admit_AlertOfEqualOrLowerPriority_JoinsTheRunHoldingThePod()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        await harness.AdmitAsync(AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1"));

        var lower = await harness.AdmitAsync(AdmissionHarness.Alert("odd-1", AlertCategory.AbnormalProcess, "api-1"));
        var same = await harness.AdmitAsync(AdmissionHarness.Alert("shell-2", AlertCategory.ReverseShell, "api-1"));
        var status = await harness.IdleStatusAsync("api-1");

        Assert.Equal(AdmissionOutcome.Joined, lower.Outcome);
        Assert.Equal(Contain, lower.Playbook);
        Assert.Equal(AdmissionOutcome.Joined, same.Outcome);
        Assert.Null(same.Reason);
        Assert.Equal(Contain, status.Playbook);
        Assert.Empty(await harness.Audit.ListAsync(AuditSubject.SecurityEvent, lower.EventId, CancellationToken.None));
    }

    [Fact]
    public async Task Admit_AnotherSourcesAlertWithTheRunsDetectorId_JoinsAsAnotherEvent()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        var started = await harness.AdmitAsync(shell);
        var run = await harness.IdleStatusAsync("api-1");

        var sameId = await harness.AdmitAsync(shell with { Source = "defender" });
        await harness.Joined.MarkJoinedAsync(AdmissionHarness.InstanceOf("api-1"), run.StartedAt, "ops@contoso.com", CancellationToken.None);

        Assert.Equal(AdmissionOutcome.Joined, sameId.Outcome);
        Assert.NotEqual(started.EventId, sameId.EventId);
        Assert.Equal(EventStatus.Processed, (await harness.Events.GetAsync(sameId.EventId, CancellationToken.None))!.Status);
        Assert.Equal(EventStatus.Unprocessed, (await harness.Events.GetAsync(started.EventId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Redeliver_JoiningAlertWhoseHostStoppedBeforeTheJoinWasKept_TheRedeliveryKeepsIt()
    {
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        var joining = AdmissionHarness.Alert("shell-2", AlertCategory.ReverseShell, "api-1");
        await using var first = new AdmissionHarness(azurite.ConnectionString);
        await first.AdmitAsync(shell);
        var run = await first.IdleStatusAsync("api-1");

        // The joining alert's first delivery stored its event; its host stopped before anything else.
        await first.Events.AddAsync(first.Unprocessed(joining, Contain), CancellationToken.None);
        await using var restarted = new AdmissionHarness(azurite.ConnectionString, first.TablePrefix);
        var again = await restarted.AdmitAsync(joining);
        await restarted.Joined.MarkJoinedAsync(AdmissionHarness.InstanceOf("api-1"), run.StartedAt, "ops@contoso.com", CancellationToken.None);

        Assert.Equal(AdmissionOutcome.Joined, again.Outcome);
        var stored = (await restarted.Events.GetAsync(again.EventId, CancellationToken.None))!;
        Assert.Equal(EventStatus.Processed, stored.Status);
        Assert.Equal($"the run it joined ({AdmissionHarness.InstanceOf("api-1")}) isolated its pod", stored.StatusReason);
    }

    [Fact]
    public async Task Redeliver_JoiningAlertWhoseJoinStorageRefused_TheRedeliveryToTheSameHostKeepsIt()
    {
        var refused = new WriteRefusedOnce("Isolations");
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        var joining = AdmissionHarness.Alert("shell-2", AlertCategory.ReverseShell, "api-1");
        await using var harness = new AdmissionHarness(azurite.ConnectionString, storagePolicy: refused);
        await harness.AdmitAsync(shell);
        var run = await harness.IdleStatusAsync("api-1");

        // The joining alert's event is stored; the row that keeps its join is refused, and the sender is told to try again.
        refused.Arm();
        var failure = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => harness.AdmitAsync(joining));
        var again = await harness.AdmitAsync(joining);
        await harness.Joined.MarkJoinedAsync(AdmissionHarness.InstanceOf("api-1"), run.StartedAt, "ops@contoso.com", CancellationToken.None);

        Assert.Equal((1, 503), (refused.Refused, failure.Status));
        Assert.Equal(AdmissionOutcome.Joined, again.Outcome);
        var stored = (await harness.Events.GetAsync(again.EventId, CancellationToken.None))!;
        Assert.Equal(EventStatus.Processed, stored.Status);
        Assert.Equal($"the run it joined ({AdmissionHarness.InstanceOf("api-1")}) isolated its pod", stored.StatusReason);
    }

    [Fact]
    public async Task Admit_AlertOfARequestTheAPIServerRefused_StoredIgnoredWithTheRefusal_NoRun()
    {
        const string Refusal = "the API server refused the request (403 'Forbidden'), so it changed nothing";
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var refused = AdmissionHarness.Alert("create-1", AlertCategory.ReverseShell, "never-made") with { NothingToIsolate = Refusal };

        var entry = await harness.AdmitAsync(refused);

        Assert.Equal((AdmissionOutcome.Ignored, Refusal), (entry.Outcome, entry.Reason));
        Assert.Null(entry.InstanceId);
        var stored = (await harness.Events.GetAsync(entry.EventId, CancellationToken.None))!;
        Assert.Equal((EventStatus.Ignored, Refusal), (stored.Status, stored.StatusReason));
        Assert.Null(await harness.Runtime.GetStatusAsync(AdmissionHarness.InstanceOf("never-made"), CancellationToken.None));
    }

    [Fact]
    public async Task Admit_ByHand_TakesThePodFromARunOfAnyPriority_ASecondRequestJoins()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        await harness.AdmitAsync(AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1"));

        var first = await harness.AdmitByHandAsync("hand-1", "api-1");
        var second = await harness.AdmitByHandAsync("hand-2", "api-1");
        var status = await harness.IdleStatusAsync("api-1");

        Assert.Equal(AdmissionOutcome.Started, first.Outcome);
        Assert.Equal($"took the pod over from a run of {Contain}", first.Reason);
        Assert.Equal(AdmissionOutcome.Joined, second.Outcome);
        Assert.Equal(ByHand, status.Playbook);
    }

    [Fact]
    public async Task Redeliver_AfterALaterRunTookThePod_JoinsAndLeavesThatRun()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        await harness.AdmitAsync(shell);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.AdmitByHandAsync("hand-1", "api-1");
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var again = await harness.AdmitAsync(shell);
        var status = await harness.IdleStatusAsync("api-1");

        Assert.Equal(AdmissionOutcome.Joined, again.Outcome);
        Assert.Equal(ByHand, status.Playbook);
    }

    [Fact]
    public async Task Redeliver_FirstDeliveryStoppedAfterEndingTheLowerRun_StartsItsRun()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        await harness.AdmitAsync(AdmissionHarness.Alert("odd-1", AlertCategory.AbnormalProcess, "api-1"));
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");

        // What a first delivery leaves when its process dies between ending the lower run and starting its own.
        await harness.Events.AddAsync(harness.Unprocessed(shell, Contain), CancellationToken.None);
        Assert.True(await harness.Runtime.TerminateIfRunningAsync(AdmissionHarness.InstanceOf("api-1"), Watch, "taken over", CancellationToken.None));
        await harness.IdleStatusAsync("api-1");
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var again = await harness.AdmitAsync(shell);
        var status = await harness.IdleStatusAsync("api-1");

        Assert.Equal(AdmissionOutcome.Started, again.Outcome);
        Assert.Equal(Contain, status.Playbook);
        Assert.NotEqual(RunPhase.Finished, status.Phase);
    }

    [Fact]
    public async Task Redeliver_AfterTheRunItTookOverEnded_IsADuplicate_AndSoIsTheLowerAlert()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        var suspicious = AdmissionHarness.Alert("odd-1", AlertCategory.AbnormalProcess, "api-1");
        var shell = AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        await harness.AdmitAsync(suspicious);
        await harness.AdmitAsync(shell);
        await harness.IdleStatusAsync("api-1");
        Assert.True(await harness.Runtime.TerminateAsync(AdmissionHarness.InstanceOf("api-1"), "released by hand", CancellationToken.None));
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var shellAgain = await harness.AdmitAsync(shell);
        var suspiciousAgain = await harness.AdmitAsync(suspicious);

        Assert.Equal(AdmissionOutcome.Duplicate, shellAgain.Outcome);
        Assert.Equal(AdmissionOutcome.Duplicate, suspiciousAgain.Outcome);
        Assert.Equal(RunPhase.Finished, (await harness.IdleStatusAsync("api-1")).Phase);
    }

    [Fact]
    public async Task TerminateIfRunning_RunOfAnotherPlaybook_LeftAlone()
    {
        await using var harness = new AdmissionHarness(azurite.ConnectionString);
        await harness.AdmitAsync(AdmissionHarness.Alert("shell-1", AlertCategory.ReverseShell, "api-1"));
        await harness.IdleStatusAsync("api-1");

        var ended = await harness.Runtime.TerminateIfRunningAsync(AdmissionHarness.InstanceOf("api-1"), Watch, "taken over", CancellationToken.None);
        var status = await harness.IdleStatusAsync("api-1");

        Assert.False(ended);
        Assert.Equal(RunPhase.Waiting, status.Phase);
        Assert.Equal(Contain, status.Playbook);
    }
}
