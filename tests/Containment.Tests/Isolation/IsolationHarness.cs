using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.CordonNode;
using Containment.Isolation.Actions.DeletePod;
using Containment.Isolation.Actions.Quarantine;
using Containment.Isolation.Actions.Release;
using Containment.Tests.KubeSim;
using Containment.Tests.Support;
using global::KubeSim;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Isolation;

/// <summary>KubeSim plus the isolation services wired as in production, over a kubeconfig cluster "sim".</summary>
internal sealed class IsolationHarness : IAsyncDisposable
{
    public const string Cluster = "sim";

    /// <summary>The API path of the pod <see cref="Request"/> and <see cref="Pod"/> name by default.</summary>
    public const string PodPath = "/api/v1/namespaces/shop/pods/web-7d9f-abcde";

    /// <summary>The API path of the NetworkPolicies of that pod's namespace.</summary>
    public const string PoliciesPath = "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies";

    private readonly string kubeconfig;

    private IsolationHarness(KubeSimServer sim, ServiceProvider services, FakeTimeProvider time, string kubeconfig)
    {
        Sim = sim;
        Services = services;
        Time = time;
        this.kubeconfig = kubeconfig;
    }

    public KubeSimServer Sim { get; }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public QuarantinePod Quarantine => Services.GetRequiredService<QuarantinePod>();

    public ReleasePod Release => Services.GetRequiredService<ReleasePod>();

    public DeletePod DeletePod => Services.GetRequiredService<DeletePod>();

    public CordonNode CordonNode => Services.GetRequiredService<CordonNode>();

    /// <param name="engine">The cluster's configured engine; null: none configured, as for a kubeconfig cluster nobody set it for.</param>
    /// <param name="requestTimeout">
    /// The client's timeout of each Kubernetes request, on real time. By default past any stall of a loaded machine: a
    /// request it timed out would be tried again after a delay on the fake clock, which nothing moves in a test that
    /// awaits the call rather than driving it (<see cref="DriveAsync{T}"/>).
    /// </param>
    public static async Task<IsolationHarness> StartAsync(bool cilium = false, string? engine = nameof(NetworkPolicyEngine.Calico), string requestTimeout = "00:04:00")
    {
        var sim = await KubeSimFixture.StartAsync(cilium);
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kubesim-{Guid.NewGuid():N}.kubeconfig");
        await sim.WriteKubeconfigAsync(kubeconfig);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Containment:Clusters:{Cluster}:Kubeconfig"] = kubeconfig,
            [$"Containment:Clusters:{Cluster}:Context"] = "kubesim",
            [$"Containment:Clusters:{Cluster}:NetworkPolicyEngine"] = engine,
            ["Containment:ProtectedNamespaces:0"] = "payments",
            ["Containment:KubernetesRetryBaseDelay"] = "00:00:00.200",
            ["Containment:KubernetesRequestTimeout"] = requestTimeout,
        }).Build();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddContainmentIsolation()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new IsolationHarness(sim, services, time, kubeconfig);
    }

    public static QuarantineRequest Request(string ns = "shop", string pod = "web-7d9f-abcde") => new(Cluster, ns, pod, "iso-42");

    public static PodReference Pod(string ns = "shop", string pod = "web-7d9f-abcde") => new(Cluster, ns, pod);

    /// <summary>The starts of two runs of the pod, the second after the first (<see cref="RunStamp"/>).</summary>
    public static readonly DateTimeOffset EarlierRun = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset LaterRun = EarlierRun.AddMinutes(30);

    /// <summary>The run the default pod names (<see cref="QuarantineNames.RunAnnotation"/>), as KubeSim stores it.</summary>
    public async Task<string?> RunAnnotationAsync() =>
        (string?)(await Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!["metadata"]!["annotations"]?[QuarantineNames.RunAnnotation];

    /// <summary>Moves fake time on while the task waits on retry delays; I/O runs on real time.</summary>
    public async Task<T> DriveAsync<T>(Task<T> task, TimeSpan? step = null)
    {
        var limit = RealTimeLimit.Start();
        while (!task.IsCompleted)
        {
            limit.Check("the call did not end");
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System));
            if (!task.IsCompleted)
            {
                Time.Advance(step ?? TimeSpan.FromMilliseconds(500));
            }
        }

        return await task;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Sim.DisposeAsync();
        File.Delete(kubeconfig);
    }
}
