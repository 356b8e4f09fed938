using Azure.Core;
using Azure.Core.Pipeline;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using Containment.Tests.KubeSim;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Clusters;

public sealed class ClusterRegistryTests
{
    private const string CalicoId = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks-calico";
    private const string NoneId = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks-none";

    /// <summary>More clusters, by alias, each with the networkPolicy its network profile reports.</summary>
    private static readonly (string Alias, string NetworkPolicy)[] Engines = [("azure-npm", "azure"), ("cilium", "cilium"), ("calico-upper", "CALICO"), ("newer", "somethingnew")];

    private static string IdOf(string alias) => $"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks-{alias}";

    [Fact]
    public async Task IsolateAsync_AksResourceIdInOtherCase_ArmReadWithBearerAndAksTokenSentToApiServer()
    {
        await using var env = await AksEnvironment.StartAsync();

        var outcome = await env.Quarantine.IsolateAsync(new QuarantineRequest(CalicoId.ToUpperInvariant(), "shop", "web-7d9f-abcde", "iso-1"), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.Equal("calico", outcome.Cluster);
        Assert.Contains(outcome.Warnings, w => w.Kind == IsolationWarningKind.EstablishedConnectionsKept);
        Assert.Equal(1, env.Arm.Count("GET", "/managedClusters/aks-calico"));
        Assert.Equal(1, env.Arm.Count("POST", "/managedClusters/aks-calico/listClusterUserCredential"));
        Assert.All(env.Arm.Requests, r => Assert.Equal($"Bearer {FixedTokenCredential.ArmToken}", r.Authorization));
        Assert.All(env.Arm.Requests, r => Assert.Contains("api-version=2025-10-01", r.PathAndQuery, StringComparison.Ordinal));
        Assert.Equal([$"Bearer {FixedTokenCredential.AksToken}"], env.Sim.Requests.Authorizations);
        Assert.Contains("https://management.azure.com/.default", env.Credential.Scopes);
        Assert.Contains(AksTokenProvider.AksScope, env.Credential.Scopes);
    }

    [Fact]
    public async Task IsolateAsync_AksNetworkPolicyNone_RefusedNotEnforced()
    {
        await using var env = await AksEnvironment.StartAsync();

        var outcome = await env.Quarantine.IsolateAsync(new QuarantineRequest("none", "shop", "web-7d9f-abcde", "iso-1"), CancellationToken.None);

        Assert.Equal(IsolationStatus.Refused, outcome.Status);
        Assert.Equal(PreflightFailureReason.NetworkPolicyNotEnforced, outcome.Refusal!.Reason);
        Assert.Contains("AKS networkProfile", outcome.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, env.Sim.Requests.Writes);
    }

    [Theory]
    [InlineData("azure-npm", NetworkPolicyEngine.Azure)]
    [InlineData("cilium", NetworkPolicyEngine.Cilium)]
    [InlineData("calico-upper", NetworkPolicyEngine.Calico)]
    [InlineData("none", NetworkPolicyEngine.None)]
    [InlineData("newer", NetworkPolicyEngine.Unknown)]
    public async Task ConnectAsync_EngineIsWhatAksNetworkProfileSays(string alias, NetworkPolicyEngine expected)
    {
        await using var env = await AksEnvironment.StartAsync();

        var connection = await env.Registry.ConnectAsync(alias, CancellationToken.None);

        Assert.Equal(expected, connection.Facts.Engine);
    }

    [Theory]
    [InlineData("/aks-calico/listClusterUserCredential", 403, "AuthorizationFailed", KubernetesFailureReason.Forbidden, "forbidden: the identity may not post managedClusters/listClusterUserCredential")]
    [InlineData("/aks-calico", 403, "AuthorizationFailed", KubernetesFailureReason.Forbidden, "forbidden: the identity may not get managedClusters")]
    [InlineData("/aks-calico", 404, "ResourceNotFound", KubernetesFailureReason.NotFound, "ARM 404: get managedClusters")]
    [InlineData("/aks-calico", 401, "InvalidAuthenticationToken", KubernetesFailureReason.Unauthorized, "ARM 401: get managedClusters")]
    public async Task ConnectAsync_ArmRefuses_FailsSayingWhoMayNotDoWhat_AndConnectsOnceArmAllows(string path, int status, string code, KubernetesFailureReason reason, string says)
    {
        await using var env = await AksEnvironment.StartAsync();
        env.Arm.Refuse(path, status, code);

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => env.Registry.ConnectAsync("calico", CancellationToken.None));
        env.Arm.Allow(path);
        var connection = await env.Registry.ConnectAsync("calico", CancellationToken.None);

        Assert.Equal((reason, status), (error.Failure.Reason, error.Failure.StatusCode));
        Assert.Equal($"{says} \"{CalicoId}\"", error.Failure.Message);
        Assert.Equal(NetworkPolicyEngine.Calico, connection.Facts.Engine);
    }

    [Fact]
    public async Task ConnectAsync_UnknownCluster_ThrowsUnknownCluster()
    {
        await using var env = await AksEnvironment.StartAsync();

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => env.Registry.ConnectAsync("elsewhere", CancellationToken.None));

        Assert.Equal(KubernetesFailureReason.UnknownCluster, error.Failure.Reason);
        Assert.Contains("elsewhere", error.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_WithinCacheDuration_ArmReadOnce_AfterExpiry_ReadAgain()
    {
        await using var env = await AksEnvironment.StartAsync();

        var first = await env.Registry.ConnectAsync("calico", CancellationToken.None);
        var cached = await env.Registry.ConnectAsync(CalicoId, CancellationToken.None);
        env.Time.Advance(TimeSpan.FromMinutes(11));
        var refreshed = await env.Registry.ConnectAsync("calico", CancellationToken.None);

        Assert.Same(first, cached);
        Assert.NotSame(first, refreshed);
        Assert.Equal(2, env.Arm.Count("GET", "/managedClusters/aks-calico"));
        Assert.Equal(NetworkPolicyEngine.Calico, refreshed.Facts.Engine);
    }

    [Fact]
    public async Task GetAuthenticationHeaderAsync_CachedUntilNearExpiry_ThenRefreshed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var credential = new FixedTokenCredential(time);
        using var provider = new AksTokenProvider(credential, time);

        var first = await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(56));
        await provider.GetAuthenticationHeaderAsync(CancellationToken.None);

        Assert.Equal("Bearer", first.Scheme);
        Assert.Equal(FixedTokenCredential.AksToken, first.Parameter);
        Assert.Equal(2, credential.Calls);
    }

    [Fact]
    public void Options_ClusterWithNeitherKubeconfigNorResourceId_FailsValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Containment:Clusters:broken:Context"] = "x",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddContainmentIsolation().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ClusterAccessOptions>>().Value);

        Assert.Contains("Containment:Clusters:broken", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Fake ARM (HTTPS loopback) + KubeSim as the clusters' API server + the isolation services.</summary>
    private sealed class AksEnvironment : IAsyncDisposable
    {
        private AksEnvironment(FakeArmServer arm, global::KubeSim.KubeSimServer sim, ServiceProvider services, FakeTimeProvider time, FixedTokenCredential credential)
        {
            Arm = arm;
            Sim = sim;
            Services = services;
            Time = time;
            Credential = credential;
        }

        public FakeArmServer Arm { get; }

        public global::KubeSim.KubeSimServer Sim { get; }

        public ServiceProvider Services { get; }

        public FakeTimeProvider Time { get; }

        public FixedTokenCredential Credential { get; }

        public QuarantinePod Quarantine => Services.GetRequiredService<QuarantinePod>();

        public ClusterRegistry Registry => Services.GetRequiredService<ClusterRegistry>();

        public static async Task<AksEnvironment> StartAsync()
        {
            var arm = await FakeArmServer.StartAsync();
            var sim = await KubeSimFixture.StartAsync();
            arm.AddCluster(CalicoId, "calico", sim.BaseUrl);
            arm.AddCluster(NoneId, null, sim.BaseUrl);
            foreach (var (alias, networkPolicy) in Engines)
            {
                arm.AddCluster(IdOf(alias), networkPolicy, sim.BaseUrl);
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Containment:Clusters:calico:ResourceId"] = CalicoId,
                ["Containment:Clusters:none:ResourceId"] = NoneId,
                ["Containment:ArmEndpoint"] = arm.BaseUrl.ToString(),
            }).AddInMemoryCollection(Engines.Select(engine => KeyValuePair.Create<string, string?>($"Containment:Clusters:{engine.Alias}:ResourceId", IdOf(engine.Alias)))).Build();
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
            var credential = new FixedTokenCredential(time);
            var thumbprint = arm.Certificate.Thumbprint;
#pragma warning disable CA2000 // The transport owns the handler and the provider owns the transport.
            var transport = new HttpClientTransport(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint,
            });
#pragma warning restore CA2000
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging()
                .AddSingleton<TimeProvider>(time)
                .AddSingleton<TokenCredential>(credential)
                .AddSingleton<HttpPipelineTransport>(transport)
                .AddContainmentIsolation()
                .BuildServiceProvider();
            return new AksEnvironment(arm, sim, services, time, credential);
        }

        public async ValueTask DisposeAsync()
        {
            await Services.DisposeAsync();
            await Sim.DisposeAsync();
            await Arm.DisposeAsync();
        }
    }
}
