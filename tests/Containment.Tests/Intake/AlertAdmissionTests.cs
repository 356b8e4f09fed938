using Containment.Alerts;
using Containment.Intake;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Intake;

/// <summary>
/// Admission with a catalog that has no catch-all playbook (the shipped <c>notify-only</c> takes every alert
/// the others leave): an alert no playbook takes is stored Ignored with the reason, and no run starts.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertAdmissionTests(AzuriteFixture azurite) : IDisposable
{
    private const string Cluster = "aks-prod";

    private static readonly Uri BaseUri = new("http://127.0.0.1/");

    private readonly DirectoryInfo playbooks = Directory.CreateTempSubdirectory("playbooks-");

    [Fact]
    public async Task Admit_NoPlaybookTakesTheAlert_StoredIgnoredWithTheReasonAndNoRunStarts()
    {
        await using var services = Services();
        var admission = services.GetRequiredService<AlertAdmission>();
        var shell = Alert("shell-1", AlertCategory.ReverseShell, "api-1");
        var malware = Alert("malware-1", AlertCategory.Malware, "api-2");

        var ignored = await admission.AdmitAsync(shell, playbook: null, BaseUri, CancellationToken.None);
        var taken = await admission.AdmitAsync(malware, playbook: null, BaseUri, CancellationToken.None);

        const string Reason = "no playbook takes reverse-shell alerts of severity high in aks-prod/shop";
        Assert.Equal(AdmissionOutcome.Ignored, ignored.Outcome);
        Assert.Equal(Reason, ignored.Reason);
        Assert.Null(ignored.InstanceId);
        Assert.Null(ignored.Playbook);
        var stored = await services.GetRequiredService<SecurityEventLedger>().GetAsync(ignored.EventId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(EventStatus.Ignored, stored.Status);
        Assert.Equal(Reason, stored.StatusReason);
        Assert.Null(stored.RunInstanceId);
        var runtime = services.GetRequiredService<IPlaybookRuntime>();
        Assert.Null(await runtime.GetStatusAsync(RunInstanceId.ForTarget(Cluster, "shop", "api-1"), CancellationToken.None));

        // The catalog was read: the alert its one playbook takes starts a run.
        Assert.Equal(AdmissionOutcome.Started, taken.Outcome);
        Assert.Equal("malware-only", taken.Playbook);
    }

    public void Dispose() => playbooks.Delete(recursive: true);

    private static Alert Alert(string id, AlertCategory category, string pod) => new()
    {
        Id = id,
        Source = "falco",
        Category = category,
        Severity = Severity.High,
        Time = DateTimeOffset.UnixEpoch,
        Target = new AlertTarget { Cluster = Cluster, Namespace = "shop", Pod = pod },
    };

    private ServiceProvider Services()
    {
        File.WriteAllText(Path.Combine(playbooks.FullName, "malware-only.json"), """
            {
              "name": "malware-only",
              "trigger": { "categories": ["malware"] },
              "steps": [ { "id": "tell-soc", "type": "notify", "channels": ["soc-teams"], "template": "alert-received" } ]
            }
            """);
        var prefix = AzuriteFixture.NewTablePrefix();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Containment:Api:Key"] = "admission-test-key-0123",
            ["Containment:PlaybooksPath"] = playbooks.FullName,
            ["Containment:Ledger:TablePrefix"] = prefix,
            ["Containment:Runtime:TablePrefix"] = prefix,
            ["Containment:Approvals:SigningKey"] = "admission-test-signing-key-of-32-bytes!",
            ["Containment:Approvals:BaseUrl"] = BaseUri.ToString(),
            ["Containment:Clusters:" + Cluster + ":Kubeconfig"] = Path.Combine(playbooks.FullName, "kubeconfig"),
            ["Containment:Notifications:Channels:soc-teams:Type"] = "webhook",
            ["Containment:Notifications:Channels:soc-teams:Url"] = "http://127.0.0.1:9/",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddContainment(configuration);
        collection.AddEmbeddedPlaybookRuntime();
        return collection.BuildServiceProvider();
    }
}
