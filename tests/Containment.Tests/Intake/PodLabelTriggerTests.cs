using Containment.Alerts;
using Containment.Api;
using Containment.Intake;
using Containment.Isolation;
using Containment.Ledger;
using Containment.Tests.KubeSim;
using Containment.Tests.Support;
using global::KubeSim;

namespace Containment.Tests.Intake;

/// <summary>
/// Triggers with <c>podLabels</c>: admission reads the pod's labels from the cluster (KubeSim) when, and only when, the
/// choice of playbook depends on them. <c>front-contain</c> (priority 95) takes reverse shells in pods labelled
/// <c>tier: front</c>, ahead of the harness's <c>contain</c> (90), which takes every reverse shell.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PodLabelTriggerTests(AzuriteFixture azurite)
{
    private const string FrontContain = "front-contain";
    private const string PodsPath = "/api/v1/namespaces/shop/pods";

    [Theory]
    [InlineData("front-1", FrontContain)]
    [InlineData("back-1", AdmissionHarness.Contain)]
    [InlineData("held-1", FrontContain)] // quarantined: its own labels are those its quarantine saved
    [InlineData("gone-1", AdmissionHarness.Contain)] // no such pod: no labels, so no trigger that asks for them
    [InlineData("planted-1", AdmissionHarness.Contain)] // not quarantined: a saved-labels annotation of its own is not its labels
    public async Task Admit_TriggerAsksForLabels_ThePodsLabelsChooseThePlaybook(string pod, string expected)
    {
        await using var sim = await ClusterAsync();
        await using var harness = await HarnessOverAsync(sim);

        var entry = await harness.AdmitAsync(AdmissionHarness.Alert("shell-" + pod, AlertCategory.ReverseShell, pod));

        Assert.Equal(AdmissionOutcome.Started, entry.Outcome);
        Assert.Equal(expected, entry.Playbook);
        Assert.Equal(expected, (await harness.IdleStatusAsync(pod)).Playbook);
        Assert.Equal(1, sim.Requests.Count("GET", $"{PodsPath}/{pod}"));
    }

    [Fact]
    public async Task Admit_NoTriggerAheadAsksForLabels_ReadsNoPod()
    {
        await using var sim = await ClusterAsync();
        await using var harness = await HarnessOverAsync(sim);

        // Abnormal processes go to "watch" and malware to none: neither choice can depend on labels.
        var watched = await harness.AdmitAsync(AdmissionHarness.Alert("odd-1", AlertCategory.AbnormalProcess, "front-1"));
        var ignored = await harness.AdmitAsync(AdmissionHarness.Alert("malware-1", AlertCategory.Malware, "back-1"));

        Assert.Equal(AdmissionHarness.Watch, watched.Playbook);
        Assert.Equal(AdmissionOutcome.Ignored, ignored.Outcome);
        Assert.Equal(0, sim.Requests.Count("GET", PodsPath));
    }

    [Fact]
    public async Task Admit_ClusterRefusesThePodsRead_AdmitsNothingAndTheSenderIsToldToDeliverAgain()
    {
        await using var sim = await ClusterAsync();
        await using var harness = await HarnessOverAsync(sim);
        sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = PodsPath, StatusCode = 403 });
        var alert = AdmissionHarness.Alert("shell-refused", AlertCategory.ReverseShell, "front-1");

        var refused = await Assert.ThrowsAsync<PodLabelsUnreadableException>(() => harness.AdmitAsync(alert));
        var answer = ApiFailures.Of(refused);

        Assert.Equal("the labels of pod shop/front-1 in aks-prod, which a playbook's trigger asks for, could not be read (forbidden, status 403)", refused.Message);
        Assert.Equal(503, answer.Status);
        Assert.Equal("5", answer.Headers["Retry-After"]);
        Assert.Null(await harness.Events.GetAsync(SecurityEventLedger.IdOf(alert), CancellationToken.None));
        Assert.Null(await harness.Runtime.GetStatusAsync(AdmissionHarness.InstanceOf("front-1"), CancellationToken.None));

        // Delivered again once the cluster answers: the labels choose as they would have.
        sim.Faults.Clear();
        var again = await harness.AdmitAsync(alert);
        Assert.Equal(FrontContain, again.Playbook);
    }

    private static async Task<KubeSimServer> ClusterAsync()
    {
        var sim = await KubeSimFixture.StartAsync();
        await sim.SeedAsync($$$$"""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Pod, metadata: {name: front-1, namespace: shop, labels: {tier: front, app: web}}, spec: {containers: [{name: app, image: web}]}}
            - {apiVersion: v1, kind: Pod, metadata: {name: back-1, namespace: shop, labels: {tier: back, app: db}}, spec: {containers: [{name: app, image: db}]}}
            - apiVersion: v1
              kind: Pod
              metadata:
                name: held-1
                namespace: shop
                labels: {{{{{QuarantineNames.QuarantineLabel}}}}: q-held}
                annotations: {{{{{QuarantineNames.SavedLabelsAnnotation}}}}: '{"tier":"front","app":"web"}'}
              spec: {containers: [{name: app, image: web}]}
            - apiVersion: v1
              kind: Pod
              metadata:
                name: planted-1
                namespace: shop
                labels: {tier: back}
                annotations: {{{{{QuarantineNames.SavedLabelsAnnotation}}}}: '{"tier":"front"}'}
              spec: {containers: [{name: app, image: db}]}
            """, CancellationToken.None);
        return sim;
    }

    private async Task<AdmissionHarness> HarnessOverAsync(KubeSimServer sim)
    {
        var harness = new AdmissionHarness(azurite.ConnectionString);
        harness.WritePlaybook(FrontContain, priority: 95, """{ "categories": ["reverse-shell"], "podLabels": { "tier": "front" } }""");
        await sim.WriteKubeconfigAsync(harness.KubeconfigPath);
        return harness;
    }
}
