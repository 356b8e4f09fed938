using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Containment.Api;
using Containment.Local.Hosting;
using KubeSim;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Bench;

/// <summary>
/// The product as the benchmarks drive it: the local host in this process over real HTTP, Azurite,
/// KubeSim seeded with <c>bench-0000</c>… pods, the shipped playbooks, and a loopback chat.
/// </summary>
internal sealed partial class BenchHost : IAsyncDisposable
{
    public const string ApiKey = "bench-api-key-0123456789";
    public const string Cluster = "aks-bench";
    public const string Namespace = "bench";

    private readonly DirectoryInfo folder;
    private readonly WebApplication host;
    private readonly Network network;

    private BenchHost(DirectoryInfo folder, AzuriteServer azurite, KubeSimServer kube, Network network, ChatSink chat, WebApplication host, Uri baseAddress)
    {
        this.folder = folder;
        this.host = host;
        this.network = network;
        Azurite = azurite;
        Kube = kube;
        Chat = chat;
        BaseAddress = baseAddress;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseAddress };
        Http.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, ApiKey);
        Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public AzuriteServer Azurite { get; }

    public KubeSimServer Kube { get; }

    public ChatSink Chat { get; }

    public Uri BaseAddress { get; }

    /// <summary>Where the host reaches storage: Azurite, or the relay in front of it.</summary>
    public string StorageConnectionString => network.Storage;

    /// <summary>Where the host reaches the API server: KubeSim, or the relay in front of it.</summary>
    public Uri KubeUrl => network.Kube;

    /// <summary>How long every storage and Kubernetes request and answer is held, each way; zero on plain loopback.</summary>
    public TimeSpan OneWay => network.OneWay;

    public HttpClient Http { get; }

    public string KubeconfigPath => Path.Combine(folder.FullName, "kubeconfig");

    /// <summary>Storage requests the host has sent since it started.</summary>
    public StorageOperationCounter StorageCounter => Services<StorageOperationCounter>();

    public T Services<T>()
        where T : notnull => host.Services.GetRequiredService<T>();

    /// <summary>A Kubernetes request path with the pod's own name and the policy's taken out, so requests group by shape.</summary>
    public static string Shape(string request) => PodInPath().Replace(request, "{pod}");

    /// <summary>Waits until the pod has its own labels back and its quarantine policy is gone.</summary>
    public async Task ExpectReleasedAsync(string pod, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Kube.Store.GetAsync(ResourceCatalog.NetworkPolicies, Namespace, $"containment-quarantine-{pod}", cancellationToken) is not null
            || (await Kube.Store.GetAsync(ResourceCatalog.Pods, Namespace, pod, cancellationToken))?["metadata"]?["labels"]?["app"] is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pod} was not released");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    public static string Pod(int index) => string.Create(CultureInfo.InvariantCulture, $"bench-{index:D5}");

    /// <param name="oneWay">How long relays in front of Azurite and KubeSim hold every request and answer, each way; zero for no relays.</param>
    public static async Task<BenchHost> StartAsync(string repositoryRoot, int pods, TimeSpan oneWay, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("bench-");
        var azurite = await AzuriteServer.StartAsync(repositoryRoot, cancellationToken);
        var kube = await KubeSimServer.StartAsync(new KubeSimOptions { Seed = Seed(pods) }, cancellationToken);
        var network = Network.Over(azurite, kube, oneWay);
        var kubeconfig = Path.Combine(folder.FullName, "kubeconfig");
        await KubeSimServer.WriteKubeconfigAsync(kubeconfig, network.Kube, cancellationToken);
        var chat = await ChatSink.StartAsync(cancellationToken);
        var port = FreePort.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var host = LocalHost.Create(port, settingsFile: null, Settings(repositoryRoot, network.Storage, kubeconfig, chat.Url, baseAddress));
        await host.StartAsync(cancellationToken);
        return new BenchHost(folder, azurite, kube, network, chat, host, baseAddress);
    }

    /// <summary>The settings a host over this Azurite, KubeSim and chat reads; also written to a file for a host in its own process.</summary>
    public static Dictionary<string, string?> Settings(string repositoryRoot, string storage, string kubeconfig, Uri chat, Uri baseAddress) => new()
    {
        ["AzureWebJobsStorage"] = storage,
        ["Containment:Api:Key"] = ApiKey,
        ["Containment:PlaybooksPath"] = Path.Combine(repositoryRoot, "playbooks"),
        ["Containment:Approvals:SigningKey"] = "bench-signing-key-of-at-least-32-bytes!",
        ["Containment:Approvals:BaseUrl"] = baseAddress.ToString(),
        ["Containment:Clusters:" + Cluster + ":Kubeconfig"] = kubeconfig,
        ["Containment:Clusters:" + Cluster + ":NetworkPolicyEngine"] = "Calico",
        ["Containment:Notifications:Channels:soc-teams:Type"] = "webhook",
        ["Containment:Notifications:Channels:soc-teams:Url"] = chat.ToString(),
        ["Containment:Notifications:Channels:soc-email:Type"] = "webhook",
        ["Containment:Notifications:Channels:soc-email:Url"] = chat.ToString(),
        ["Containment:Notifications:Channels:soc-oncall:Type"] = "webhook",
        ["Containment:Notifications:Channels:soc-oncall:Url"] = chat.ToString(),
        ["Logging:LogLevel:Default"] = "Warning",

        // The benchmarks check for drift once their runs are idle: nothing is left to settle then.
        ["Containment:Drift:Settling"] = "00:00:00",
    };

    /// <summary>A native alert for one bench pod.</summary>
    public static string Alert(string id, int pod, string category = "reverse-shell") => $$"""
        {"id":"{{id}}","source":"bench","category":"{{category}}","severity":"high","time":"2026-11-23T03:00:00Z",
         "target":{"namespace":"{{Namespace}}","pod":"{{Pod(pod)}}","container":"app"},"title":"bench alert"}
        """;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await host.StopAsync();
        await host.DisposeAsync();
        await Chat.DisposeAsync();
        network.Dispose();
        await Kube.DisposeAsync();
        await Azurite.DisposeAsync();
        folder.Delete(recursive: true);
    }

    /// <summary>How many nodes the bench pods are spread over, pod i on node <c>node-{i % Nodes}</c>.</summary>
    public const int Nodes = 8;

    public static string Node(int index) => string.Create(CultureInfo.InvariantCulture, $"node-{index}");

    /// <summary>A KubeSim seed with the bench nodes and pods, each pod with two labels and one annotation.</summary>
    public static string Seed(int pods) => Seed(pods, ownedByReplicaSets: false);

    /// <summary>
    /// As <see cref="Seed(int)"/>, each pod owned by a ReplicaSet of its own (one replica), as a Deployment's are, all
    /// made days before: a quarantine takes the pod out of it, which starts a replacement, and a release puts it back.
    /// </summary>
    public static string SeedOwnedByReplicaSets(int pods) => Seed(pods, ownedByReplicaSets: true);

    /// <summary>The ReplicaSet that owns a pod of <see cref="SeedOwnedByReplicaSets"/>.</summary>
    public static string ReplicaSet(int index) => string.Create(CultureInfo.InvariantCulture, $"bench-rs-{index:D5}");

    private static string Seed(int pods, bool ownedByReplicaSets)
    {
        var list = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
        for (var node = 0; node < Nodes; node++)
        {
            list.Append(node == 0 ? string.Empty : ",")
                .Append("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"").Append(Node(node))
                .Append("\",\"labels\":{\"agentpool\":\"bench\"},\"annotations\":{\"team\":\"bench\"}},\"spec\":{\"podCIDR\":\"10.244.").Append(node).Append(".0/24\"}}");
        }

        for (var index = 0; index < pods; index++)
        {
            var pod = Pod(index);
            var labels = "\"app\":\"bench\",\"tier\":\"web\"";
            var owner = string.Empty;
            if (ownedByReplicaSets)
            {
                var replicaSet = ReplicaSet(index);
                labels += ",\"pod-template-hash\":\"" + replicaSet + "\"";
                list.Append(",{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"").Append(replicaSet)
                    .Append("\",\"namespace\":\"").Append(Namespace).Append("\",\"creationTimestamp\":\"2026-11-02T09:14:03Z\"},\"spec\":{\"replicas\":1,")
                    .Append("\"selector\":{\"matchLabels\":{").Append(labels).Append("}},\"template\":{\"metadata\":{\"labels\":{").Append(labels)
                    .Append("}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"contoso.azurecr.io/bench:1.0\"}]}}}}");
                owner = ",\"creationTimestamp\":\"2026-11-02T09:14:05Z\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\""
                    + replicaSet + "\",\"uid\":\"seeded\",\"controller\":true,\"blockOwnerDeletion\":true}]";
            }

            list.Append(',')
                .Append("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"").Append(pod)
                .Append("\",\"namespace\":\"").Append(Namespace)
                .Append("\",\"labels\":{").Append(labels).Append("},\"annotations\":{\"team\":\"bench\"}").Append(owner).Append("},\"spec\":{\"nodeName\":\"")
                .Append(Node(index % Nodes)).Append("\",\"containers\":[{\"name\":\"app\",\"image\":\"contoso.azurecr.io/bench:1.0\"}]}}");
        }

        return list.Append("]}").ToString();
    }

    /// <summary>How the host reaches storage and the API server: directly, or through relays that hold each request and answer.</summary>
    private sealed record Network(string Storage, Uri Kube, TimeSpan OneWay, IReadOnlyList<DelayingRelay> Relays) : IDisposable
    {
        public static Network Over(AzuriteServer azurite, KubeSimServer kube, TimeSpan oneWay)
        {
            if (oneWay == TimeSpan.Zero)
            {
                return new Network(azurite.ConnectionString, kube.BaseUrl, oneWay, []);
            }

            var storage = new DelayingRelay(azurite.Port, oneWay);
            var api = new DelayingRelay(kube.BaseUrl.Port, oneWay);
            return new Network(AzuriteServer.ConnectionStringOn(storage.Port), new UriBuilder(kube.BaseUrl) { Port = api.Port }.Uri, oneWay, [storage, api]);
        }

        public void Dispose()
        {
            foreach (var relay in Relays)
            {
                relay.Dispose();
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"bench-\d{5}")]
    private static partial System.Text.RegularExpressions.Regex PodInPath();
}
