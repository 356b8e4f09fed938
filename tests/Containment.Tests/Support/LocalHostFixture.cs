using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Containment.Api;
using Containment.Ledger;
using Containment.Local.Hosting;
using Containment.Tests.Notifications;
using KubeSim;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Support;

/// <summary>
/// The whole product on loopback: the local host over a real Azurite, KubeSim seeded with the demo
/// cluster plus test pods, the shipped playbooks, and one webhook receiver standing in for every channel.
/// </summary>
public class LocalHostFixture : IAsyncLifetime
{
    public const string ApiKey = "test-api-key-0123456789";
    public const string Cluster = "aks-prod";
    public const string Namespace = "shop";

    /// <summary>The AKS resource id the recorded Defender and Sentinel payloads name.</summary>
    public const string ResourceId = "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-shop-prod/providers/Microsoft.ContainerService/managedClusters/aks-shop-prod";

    /// <summary>Pods seeded for tests to isolate, one per test: <c>victim-00</c> ...</summary>
    protected virtual int TestPods => 80;

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("host-");
    private AzuriteServer? azurite;
    private WebApplication? host;
    private int nextPod;

    public KubeSimServer KubeSim { get; private set; } = null!;

    internal LoopbackReceiver Channels { get; } = new();

    /// <summary>A seeded pod no other test has taken.</summary>
    public string TakePod()
    {
        var index = Interlocked.Increment(ref nextPod) - 1;
        return index < TestPods ? $"victim-{index:D2}" : throw new InvalidOperationException($"the {TestPods} seeded pods are taken; seed more (TestPods)");
    }

    /// <summary>A pod of its own on a node of its own, so that cordoning it touches no other test's node.</summary>
    public async Task<(string Pod, string Node)> PodOnOwnNodeAsync()
    {
        var (pods, node) = await PodsOnOwnNodeAsync(1);
        return (pods[0], node);
    }

    /// <summary>Pods of their own on a node of their own, which they share with no other test's pods.</summary>
    public async Task<(IReadOnlyList<string> Pods, string Node)> PodsOnOwnNodeAsync(int count)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var node = $"aks-cordon-{suffix}";
        await KubeSim.Store.CreateAsync(ResourceCatalog.Nodes, null, JsonNode.Parse($$$"""{"metadata":{"name":"{{{node}}}"},"spec":{"podCIDR":"10.244.9.0/24"}}""")!.AsObject(), CancellationToken.None);
        var pods = Enumerable.Range(0, count).Select(index => count == 1 ? $"cordon-{suffix}" : $"cordon-{suffix}-{index}").ToList();
        foreach (var pod in pods)
        {
            await KubeSim.Store.CreateAsync(ResourceCatalog.Pods, Namespace, JsonNode.Parse($$$"""
                {"metadata":{"name":"{{{pod}}}","labels":{"app":"cordon"},"annotations":{"team":"shop"}},"spec":{"nodeName":"{{{node}}}","containers":[{"name":"app","image":"contoso.azurecr.io/app:1"}]}}
                """)!.AsObject(), CancellationToken.None);
        }

        return (pods, node);
    }

    /// <summary>
    /// A ReplicaSet of its own, as a Deployment makes one, with <paramref name="replicas"/> pods it owns, made days ago
    /// (so that a replacement is the younger when the ReplicaSet has one pod too many).
    /// </summary>
    public async Task<(string ReplicaSet, IReadOnlyList<string> Pods)> ReplicaSetPodsAsync(int replicas)
    {
        var replicaSet = $"web-{Guid.NewGuid().ToString("N")[..10]}";
        var hash = replicaSet[4..];
        var created = await KubeSim.Store.SeedAsync(ResourceCatalog.ReplicaSets, Namespace, JsonNode.Parse($$$"""
            {"metadata":{"name":"{{{replicaSet}}}","creationTimestamp":"2026-11-02T09:14:03Z"},
             "spec":{"replicas":{{{replicas}}},"selector":{"matchLabels":{"app":"{{{replicaSet}}}","pod-template-hash":"{{{hash}}}"}},
                     "template":{"metadata":{"labels":{"app":"{{{replicaSet}}}","pod-template-hash":"{{{hash}}}"}},"spec":{"containers":[{"name":"web","image":"contoso.azurecr.io/shop/web:1.4.2"}]} } } }
            """)!.AsObject(), CancellationToken.None);
        var uid = (string)created["metadata"]!["uid"]!;
        var pods = Enumerable.Range(0, replicas).Select(index => $"{replicaSet}-p{index}").ToList();
        foreach (var pod in pods)
        {
            await KubeSim.Store.SeedAsync(ResourceCatalog.Pods, Namespace, JsonNode.Parse($$$"""
                {"metadata":{"name":"{{{pod}}}","creationTimestamp":"2026-11-02T09:14:05Z","labels":{"app":"{{{replicaSet}}}","pod-template-hash":"{{{hash}}}"},"annotations":{"team":"shop"},
                  "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"{{{replicaSet}}}","uid":"{{{uid}}}","controller":true,"blockOwnerDeletion":true}]},
                 "spec":{"nodeName":"aks-nodepool1-0","containers":[{"name":"web","image":"contoso.azurecr.io/shop/web:1.4.2"}]}}
                """)!.AsObject(), CancellationToken.None);
        }

        return (replicaSet, pods);
    }

    /// <summary>The names of the pods <paramref name="replicaSet"/> owns now.</summary>
    public async Task<IReadOnlyList<string>> PodsOwnedByAsync(string replicaSet)
    {
        var (items, _) = await KubeSim.Store.ListAsync(ResourceCatalog.Pods, Namespace, LabelSelector.Everything, new Dictionary<string, string>(), CancellationToken.None);
        return items
            .Where(pod => pod["metadata"]!["ownerReferences"]?.AsArray().Any(owner => (string?)owner!["name"] == replicaSet && (bool?)owner["controller"] == true) == true)
            .Select(pod => (string)pod["metadata"]!["name"]!)
            .ToList();
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => host!.Services;

    public string StorageConnectionString => azurite!.ConnectionString;

    /// <summary>The port Azurite serves on, for a fixture that puts something between the host and it.</summary>
    protected int AzuritePort => azurite!.Port;

    /// <summary>A table prefix no other fixture uses, so runs of the suite never see each other's rows.</summary>
    public string TablePrefix { get; } = "T" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.StartAsync(RepositoryRoot.Path);
        await StorageStartedAsync();
        KubeSim = await KubeSimServer.StartAsync(ClusterOptions(new KubeSimOptions { SeedFile = RepositoryRoot.Combine("tools", "KubeSim", "seeds", "demo.yaml") }), CancellationToken.None);
        await KubeSim.SeedAsync(VictimPods(), CancellationToken.None);
        await WriteKubeconfigAsync(Path.Combine(folder.FullName, "kubeconfig"));
        var port = FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        host = LocalHost.Create(port, settingsFile: null, Settings());
        await host.StartAsync();
        await WarmUpAsync();
    }

    /// <summary>What a differently configured fixture starts once Azurite serves, before the host's settings are read.</summary>
    protected virtual Task StorageStartedAsync() => Task.CompletedTask;

    /// <summary>What a differently configured fixture stops once the host has stopped, before Azurite and KubeSim do.</summary>
    protected virtual ValueTask HostStoppedAsync() => ValueTask.CompletedTask;

    /// <summary>What a differently configured host does once started, before its first test.</summary>
    protected virtual Task WarmUpAsync() => Task.CompletedTask;

    /// <summary>The cluster a differently configured host runs against, from the default's options.</summary>
    protected virtual KubeSimOptions ClusterOptions(KubeSimOptions defaults) => defaults;

    /// <summary>The kubeconfig the host reaches its cluster with: by default as KubeSim's admin.</summary>
    protected virtual Task WriteKubeconfigAsync(string path) => KubeSim.WriteKubeconfigAsync(path);

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        await HostStoppedAsync();
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        await KubeSim.DisposeAsync();
        Channels.Dispose();
        folder.Delete(recursive: true);
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateClient()
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, ApiKey);
        return client;
    }

    public HttpClient CreateAnonymousClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public TableServiceClient Tables => Get<TableServiceClient>();

    /// <summary>
    /// The host's ledger tables through a client of the test's own, whose every try passes <paramref name="policy"/>
    /// (a request held or its answer lost), with the SDK's retries close together.
    /// </summary>
    public LedgerTables LedgerTablesThrough(Azure.Core.Pipeline.HttpPipelinePolicy policy)
    {
        var options = new TableClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
        return new LedgerTables(new TableServiceClient(StorageConnectionString, options), Get<Microsoft.Extensions.Options.IOptions<LedgerOptions>>());
    }

    /// <summary>A second local host over this fixture's tables and cluster, on a port of its own; the caller starts and stops it.</summary>
    public WebApplication CreateHostOnTheSameTables(int port)
    {
        var settings = Settings();
        settings["Containment:Approvals:BaseUrl"] = $"http://127.0.0.1:{port}/";
        return LocalHost.Create(port, settingsFile: null, settings);
    }

    /// <summary>Settings a differently configured host adds to (or changes in) the defaults.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = DefaultSettings();
        Configure(settings);
        return settings;
    }

    private Dictionary<string, string?> DefaultSettings() => new()
    {
        ["AzureWebJobsStorage"] = azurite!.ConnectionString,
        ["Containment:Api:Key"] = ApiKey,
        ["Containment:PlaybooksPath"] = RepositoryRoot.Combine("playbooks"),
        ["Containment:Ledger:TablePrefix"] = TablePrefix,
        ["Containment:Runtime:TablePrefix"] = TablePrefix,
        ["Containment:Api:TrustPrincipalHeaders"] = "true",
        ["Containment:Approvals:SigningKey"] = "test-signing-key-of-at-least-32-bytes!!",
        ["Containment:Approvals:BaseUrl"] = BaseAddress.ToString(),
        ["Containment:Clusters:" + Cluster + ":Kubeconfig"] = Path.Combine(folder.FullName, "kubeconfig"),
        ["Containment:Clusters:" + Cluster + ":ResourceId"] = ResourceId,
        ["Containment:Clusters:" + Cluster + ":NetworkPolicyEngine"] = "Calico",
        ["Containment:Clusters:" + Cluster + ":Context"] = null,
        ["Containment:Notifications:Channels:soc-teams:Type"] = "teams",
        ["Containment:Notifications:Channels:soc-teams:Url"] = Channels.Url.ToString(),
        ["Containment:Notifications:Channels:soc-email:Type"] = "slack",
        ["Containment:Notifications:Channels:soc-email:Url"] = Channels.Url.ToString(),
        ["Containment:Notifications:Channels:soc-oncall:Type"] = "webhook",
        ["Containment:Notifications:Channels:soc-oncall:Url"] = Channels.Url.ToString(),
    };

    private string VictimPods()
    {
        var list = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
        for (var index = 0; index < TestPods; index++)
        {
            list.Append(CultureInfo.InvariantCulture, $$"""
                - apiVersion: v1
                  kind: Pod
                  metadata:
                    name: victim-{{index:D2}}
                    namespace: shop
                    labels: {app: victim, index: "{{index}}"}
                    annotations: {"team": "payments"}
                  spec:
                    nodeName: aks-nodepool1-0
                    containers:
                    - {name: app, image: "contoso.azurecr.io/victim:1.0"}

                """);
        }

        return list.ToString();
    }
}

[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "local host";
}
