using Containment.Alerts;
using Containment.Intake;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Intake;

/// <summary>
/// The product's admission, ledger and embedded runtime over Azurite and a fake clock, with playbooks that only
/// wait: <see cref="Watch"/> (priority 10) for abnormal processes, <see cref="Contain"/> (90) for reverse shells,
/// and <see cref="ByHand"/>, run only when named. Nothing takes malware alerts.
/// </summary>
internal sealed class AdmissionHarness : IAsyncDisposable
{
    public const string Cluster = "aks-prod";
    public const string Watch = "watch";
    public const string Contain = "contain";
    public const string ByHand = "by-hand";

    private static readonly Uri BaseUri = new("http://127.0.0.1/");

    private readonly DirectoryInfo playbooks = Directory.CreateTempSubdirectory("playbooks-");
    private readonly ServiceProvider services;

    /// <param name="tablePrefix">The tables of an earlier harness, as a host started again finds them; new ones when null.</param>
    /// <param name="clusterResourceId">The AKS resource id <see cref="Cluster"/> is configured with, beside its kubeconfig.</param>
    /// <param name="storagePolicy">A policy every storage request of the product passes, at each try.</param>
    public AdmissionHarness(string connectionString, string? tablePrefix = null, string? clusterResourceId = null, Azure.Core.Pipeline.HttpPipelinePolicy? storagePolicy = null)
    {
        WritePlaybook(Watch, priority: 10, """{ "categories": ["abnormal-process"] }""");
        WritePlaybook(Contain, priority: 90, """{ "categories": ["reverse-shell"] }""");
        WritePlaybook(ByHand, priority: 0, """{ "manual": true }""");
        TablePrefix = tablePrefix ?? AzuriteFixture.NewTablePrefix();
        var prefix = TablePrefix;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Containment:Api:Key"] = "admission-test-key-0123",
            ["Containment:PlaybooksPath"] = playbooks.FullName,
            ["Containment:Ledger:TablePrefix"] = prefix,
            ["Containment:Runtime:TablePrefix"] = prefix,
            ["Containment:Approvals:SigningKey"] = "admission-test-signing-key-of-32-bytes!",
            ["Containment:Approvals:BaseUrl"] = BaseUri.ToString(),
            ["Containment:Clusters:" + Cluster + ":Kubeconfig"] = KubeconfigPath,
            ["Containment:Clusters:" + Cluster + ":ResourceId"] = clusterResourceId,
        }).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddContainment(configuration);
        collection.AddEmbeddedPlaybookRuntime();
        if (storagePolicy is not null)
        {
            collection.AddSingleton(provider =>
            {
                var options = new Azure.Data.Tables.TableClientOptions();
                options.AddPolicy(provider.GetRequiredService<StorageOperationCounter>(), Azure.Core.HttpPipelinePosition.PerRetry);
                options.AddPolicy(storagePolicy, Azure.Core.HttpPipelinePosition.PerRetry);
                return new Azure.Data.Tables.TableServiceClient(connectionString, options);
            });
        }

        services = collection.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero));

    /// <summary>Where the cluster's kubeconfig is read from, once a cluster is first asked for: none is there until a test writes one.</summary>
    public string KubeconfigPath => Path.Combine(playbooks.FullName, "kubeconfig");

    public string TablePrefix { get; }

    public SecurityEventLedger Events => services.GetRequiredService<SecurityEventLedger>();

    public JoinedEventLedger Joined => services.GetRequiredService<JoinedEventLedger>();

    public AuditTrail Audit => services.GetRequiredService<AuditTrail>();

    public EmbeddedRuntime Runtime => services.GetRequiredService<EmbeddedRuntime>();

    public static string InstanceOf(string pod) => RunInstanceId.ForTarget(Cluster, "shop", pod);

    public static Alert Alert(string id, AlertCategory category, string pod) => new()
    {
        Id = id,
        Source = "falco",
        Category = category,
        Severity = Severity.High,
        Time = DateTimeOffset.UnixEpoch,
        Target = new AlertTarget { Cluster = Cluster, Namespace = "shop", Pod = pod },
    };

    public Task<AdmissionEntry> AdmitAsync(Alert alert) =>
        services.GetRequiredService<AlertAdmission>().AdmitAsync(alert, playbook: null, BaseUri, CancellationToken.None);

    /// <summary>Runs <see cref="ByHand"/> on the pod, as isolation by hand runs its playbook.</summary>
    public async Task<AdmissionEntry> AdmitByHandAsync(string id, string pod)
    {
        var playbook = (await services.GetRequiredService<PlaybookRepository>().GetCatalogAsync(CancellationToken.None)).Find(ByHand);
        return await services.GetRequiredService<AlertAdmission>().AdmitAsync(Alert(id, AlertCategory.Other, pod), playbook, BaseUri, CancellationToken.None);
    }

    /// <summary>The record admission stores for an alert its playbook takes.</summary>
    public SecurityEventRecord Unprocessed(Alert alert, string playbook) => new()
    {
        Id = SecurityEventLedger.IdOf(alert),
        Alert = alert,
        Playbook = playbook,
        RunInstanceId = RunInstanceId.ForTarget(alert.Target),
        Status = EventStatus.Unprocessed,
        ReceivedAt = Time.GetUtcNow(),
        ChangedAt = Time.GetUtcNow(),
        ChangedBy = AlertAdmission.Actor,
    };

    public async Task<RunStatusDocument> IdleStatusAsync(string pod)
    {
        await Runtime.WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (await Runtime.GetStatusAsync(InstanceOf(pod), CancellationToken.None))!;
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        playbooks.Delete(recursive: true);
    }

    /// <summary>Adds a playbook that only waits; before the first admission, which loads the catalog.</summary>
    public void WritePlaybook(string name, int priority, string trigger) =>
        File.WriteAllText(Path.Combine(playbooks.FullName, name + ".json"), $$"""
            {
              "name": "{{name}}",
              "priority": {{priority}},
              "trigger": {{trigger}},
              "steps": [ { "id": "hold", "type": "wait", "duration": "PT1H" } ]
            }
            """);
}
