using System.Text.Json.Nodes;
using Containment.Api;
using Containment.Isolation.Drift;
using Containment.Local.Hosting;
using Containment.Notifications;
using Containment.Tests.Notifications;
using Containment.Tests.Support;
using KubeSim;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using QuarantineNames = Containment.Isolation.QuarantineNames;

namespace Containment.Tests.Isolation;

/// <summary>
/// The drift watch against KubeSim and the ledger: a disagreement is reported once while it stands, again once it has
/// cleared and come back, and again at the next round when its report reached no channel.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class DriftWatchTests(LocalHostFixture host)
{
    [Fact]
    public async Task Round_NewDisagreement_IsReportedOnce_NotAgainWhileItStands()
    {
        await using var rig = new DriftWatchRig(host);
        var pod = await QuarantineByHandAsync();

        var first = await rig.Watch.RunAsync(CancellationToken.None);
        var second = await rig.Watch.RunAsync(CancellationToken.None);

        Assert.Equal([DriftKind.QuarantinedWithoutIsolation, DriftKind.QuarantinedWithoutFence], first.Reported.Where(finding => finding.Pod == pod).Select(finding => finding.Kind));
        Assert.True(first.Notification!.AllSent);
        var report = Assert.Single(rig.ReportsOf(pod));
        Assert.Equal(DriftNotice.FoundEvent, report.GetProperty("event").GetString());
        Assert.DoesNotContain(second.Reported, finding => finding.Pod == pod);
        Assert.Contains(second.Report.Findings, finding => finding.Pod == pod);
    }

    [Fact]
    public async Task Round_DisagreementCleared_IsForgotten_AndReportedAgainWhenItComesBack()
    {
        await using var rig = new DriftWatchRig(host);
        var pod = await QuarantineByHandAsync();
        await rig.Watch.RunAsync(CancellationToken.None);

        await SetQuarantineAsync(pod, null);
        var cleared = await rig.Watch.RunAsync(CancellationToken.None);
        await SetQuarantineAsync(pod, "q-by-hand");
        var back = await rig.Watch.RunAsync(CancellationToken.None);

        Assert.DoesNotContain(cleared.Report.Findings, finding => finding.Pod == pod);
        Assert.Equal([DriftKind.QuarantinedWithoutIsolation, DriftKind.QuarantinedWithoutFence], cleared.Cleared.Where(gone => gone.Pod == pod).Select(gone => gone.Kind).Order());
        var clearedReport = Assert.Single(rig.Receiver.Requests.Select(request => request.Json()), body => body.GetProperty("cleared").EnumerateArray().Any(gone => gone.GetProperty("pod").GetString() == pod));
        Assert.Equal(cleared.Reported.Count == 0 ? DriftNotice.ClearedEvent : DriftNotice.FoundEvent, clearedReport.GetProperty("event").GetString());
        Assert.Equal(2, back.Reported.Count(finding => finding.Pod == pod));
        Assert.Equal(2, rig.ReportsOf(pod).Count);
    }

    [Fact]
    public async Task Round_WhatWasReportedOfAClusterNoLongerConfigured_IsForgottenNotCalledCleared()
    {
        await using var rig = new DriftWatchRig(host);
        await rig.Reported.AddAsync("aks-retired", ["quarantined-without-isolation|shop|old-pod|aks-retired~shop~old-pod"], DateTimeOffset.UtcNow, CancellationToken.None);

        var round = await rig.Watch.RunAsync(CancellationToken.None);

        Assert.DoesNotContain(round.Cleared, gone => gone.Cluster == "aks-retired");
        Assert.False((await rig.Reported.ReadAsync(CancellationToken.None)).ContainsKey("aks-retired"));
    }

    [Fact]
    public async Task Round_ReportThatReachedNoChannel_IsSentAgainAtTheNextRound()
    {
        await using var rig = new DriftWatchRig(host);
        var pod = await QuarantineByHandAsync();
        rig.Receiver.Answer(500);

        var failed = await rig.Watch.RunAsync(CancellationToken.None);
        var again = await rig.Watch.RunAsync(CancellationToken.None);

        Assert.Equal(ChannelSendStatus.Failed, Assert.Single(failed.Notification!.Channels).Status);
        Assert.Contains(again.Reported, finding => finding.Pod == pod);
        Assert.True(again.Notification!.AllSent);
        Assert.Equal(2, rig.ReportsOf(pod).Count);
    }

    [Fact]
    public async Task Round_NoChannelConfigured_RemembersWhatItLogged()
    {
        await using var rig = new DriftWatchRig(host);
        var pod = await QuarantineByHandAsync();
        var quiet = new DriftWatch(host.Get<LedgerDriftCheck>(), rig.Reported, host.Get<INotificationSender>(), Options.Create(new DriftOptions()), NullLogger<DriftWatch>.Instance);

        var first = await quiet.RunAsync(CancellationToken.None);
        var second = await quiet.RunAsync(CancellationToken.None);

        Assert.Contains(first.Reported, finding => finding.Pod == pod);
        Assert.Null(first.Notification);
        Assert.DoesNotContain(second.Reported, finding => finding.Pod == pod);
        Assert.Empty(rig.Receiver.Requests);
    }

    [Fact]
    public async Task Schedule_RunsARoundEachInterval_OnItsClock()
    {
        await using var rig = new DriftWatchRig(host);
        var pod = await QuarantineByHandAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var schedule = new DriftSchedule(rig.Watch, Options.Create(new DriftOptions { Every = TimeSpan.FromMinutes(15) }), time, NullLogger<DriftSchedule>.Instance);

        await schedule.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(14));
        var early = await rig.Receiver.WaitForAsync(_ => true, TimeSpan.FromMilliseconds(300));
        time.Advance(TimeSpan.FromMinutes(1));
        var onTime = await rig.Receiver.WaitForAsync(request => request.Json().GetProperty("event").GetString() == DriftNotice.FoundEvent, TimeSpan.FromSeconds(30));
        var health = await WhenReportedAsync(schedule, health => health.Detail!.StartsWith("last round", StringComparison.Ordinal));
        await schedule.StopAsync(CancellationToken.None);

        Assert.Null(early);
        Assert.NotNull(onTime);
        Assert.Single(rig.ReportsOf(pod));
        Assert.Equal(HealthState.Degraded, health.State);
        Assert.Matches(@"^last round at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: [1-9]\d* disagreements standing$", health.Detail);
    }

    [Fact]
    public async Task Schedule_RoundThatFails_SaysSoInHealth_AndTheNextRunsOnTime()
    {
        await using var rig = new DriftWatchRig(host);
        var options = new Azure.Data.Tables.TableClientOptions();
        options.Retry.MaxRetries = 0;
        var nowhere = new Azure.Data.Tables.TableServiceClient(new Uri($"http://127.0.0.1:{FreePort.Next()}/devstoreaccount1"), new Azure.Data.Tables.TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])), options);
        using var unreachable = new ReportedDrift(nowhere, Options.Create(new Containment.Ledger.LedgerOptions()));
        var watch = new DriftWatch(host.Get<LedgerDriftCheck>(), unreachable, host.Get<INotificationSender>(), Options.Create(new DriftOptions()), NullLogger<DriftWatch>.Instance);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var schedule = new DriftSchedule(watch, Options.Create(new DriftOptions { Every = TimeSpan.FromMinutes(15) }), time, NullLogger<DriftSchedule>.Instance);

        await schedule.StartAsync(CancellationToken.None);
        var before = schedule.Report();
        time.Advance(TimeSpan.FromMinutes(15));
        var failed = await WhenReportedAsync(schedule, health => health.Detail!.Contains("failed", StringComparison.Ordinal));
        await schedule.StopAsync(CancellationToken.None);

        Assert.Equal(HealthState.Healthy, before.State);
        Assert.StartsWith("no round yet; the first at ", before.Detail, StringComparison.Ordinal);
        Assert.Equal(HealthState.Degraded, failed.State);
        Assert.StartsWith("the round at ", failed.Detail, StringComparison.Ordinal);
        Assert.False(schedule.ExecuteTask!.IsFaulted);
    }

    [Fact]
    public async Task Schedule_EveryZero_IsOff()
    {
        await using var rig = new DriftWatchRig(host);
        using var schedule = new DriftSchedule(rig.Watch, Options.Create(new DriftOptions { Every = TimeSpan.Zero }), TimeProvider.System, NullLogger<DriftSchedule>.Instance);

        await schedule.StartAsync(CancellationToken.None);
        await schedule.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(schedule.ExecuteTask.IsCompletedSuccessfully);
        Assert.Equal(new HealthCheck(DriftSchedule.HealthCheckName, HealthState.Healthy, "off (Containment:Drift:Every is 00:00:00)"), schedule.Report());
        await schedule.StopAsync(CancellationToken.None);
    }

    /// <summary>The schedule's health once it says what <paramref name="match"/> looks for, within a few seconds.</summary>
    internal static async Task<HealthCheck> WhenReportedAsync(DriftSchedule schedule, Func<HealthCheck, bool> match)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!match(schedule.Report()))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }

        return schedule.Report();
    }

    /// <summary>A pod carrying a quarantine that no run made and no record explains: a change made by hand.</summary>
    private async Task<string> QuarantineByHandAsync()
    {
        var pod = host.TakePod();
        await SetQuarantineAsync(pod, "q-by-hand");
        return pod;
    }

    private async Task SetQuarantineAsync(string pod, string? quarantineId) =>
        await host.KubeSim.Store.PatchAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, "application/merge-patch+json",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [QuarantineNames.QuarantineLabel] = quarantineId } } }, CancellationToken.None);
}
