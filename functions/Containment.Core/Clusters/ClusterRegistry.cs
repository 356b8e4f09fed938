using System.Collections.Concurrent;
using System.Text;
using Azure.Core;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Clusters;

/// <summary>
/// Resolves a cluster named by alias or AKS resource id to a Kubernetes client and its facts,
/// cached per cluster for <see cref="ClusterAccessOptions.ClusterCacheDuration"/>.
/// </summary>
public sealed class ClusterRegistry(
    IOptions<ClusterAccessOptions> options,
    AksArmClient arm,
    TokenCredential credential,
    KubernetesCallPipeline calls,
    TimeProvider timeProvider,
    ILogger<ClusterRegistry> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<CacheEntry>>> cache = new(StringComparer.OrdinalIgnoreCase);

    public async Task<ClusterConnection> ConnectAsync(string cluster, CancellationToken cancellationToken)
    {
        var (alias, settings) = Resolve(cluster);
        var now = timeProvider.GetUtcNow();
        var entry = cache.GetOrAdd(alias, a => new Lazy<Task<CacheEntry>>(() => CreateAsync(a, settings, cancellationToken)));
        try
        {
            var value = await entry.Value;
            if (value.ExpiresAt > now)
            {
                return value.Connection;
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed connect is not cached; the caller sees the next attempt's outcome.
        }

        // Expired or failed: replace the entry. Old clients are left to the GC because another call may still use them.
        var fresh = new Lazy<Task<CacheEntry>>(() => CreateAsync(alias, settings, cancellationToken));
        cache[alias] = fresh;
        try
        {
            return (await fresh.Value).Connection;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<CacheEntry>>>(alias, fresh));
            throw;
        }
    }

    /// <summary>Alias or case-insensitive AKS resource id to the configured entry.</summary>
    public (string Alias, ClusterSettings Settings) Resolve(string cluster) =>
        ClusterLookup.Find(Configured, cluster) is { } found
            ? (found.Alias, found.Settings)
            : throw new KubernetesOperationException(new KubernetesFailure(
                KubernetesFailureReason.UnknownCluster,
                $"cluster \"{cluster}\" is not configured (Containment:Clusters:<alias> with Kubeconfig or ResourceId)"));

    /// <summary>The clusters of <c>Containment:Clusters</c> by alias.</summary>
    public IReadOnlyDictionary<string, ClusterSettings> Configured => options.Value.Clusters;

    private async Task<CacheEntry> CreateAsync(string alias, ClusterSettings settings, CancellationToken cancellationToken)
    {
        KubernetesClientConfiguration configuration;
        NetworkPolicyEngine engine;
        if (string.IsNullOrWhiteSpace(settings.Kubeconfig) && settings.ResourceId is { } resourceId)
        {
            var info = await arm.GetManagedClusterAsync(resourceId, cancellationToken);
            var kubeconfigText = await arm.GetUserKubeconfigAsync(resourceId, cancellationToken);
            configuration = FromAksKubeconfig(kubeconfigText, info.EntraIntegrated);
            engine = settings.NetworkPolicyEngine ?? info.NetworkPolicy;
        }
        else
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.Kubeconfig, settings.Context);
            engine = settings.NetworkPolicyEngine ?? NetworkPolicyEngine.Unknown;
        }

        configuration.HttpClientTimeout = options.Value.KubernetesRequestTimeout;
        IKubernetes client = new Kubernetes(configuration);
        var cilium = await ServesCiliumPoliciesAsync(client, cancellationToken);
        var facts = new ClusterFacts(alias, configuration.Host, engine, settings.NetworkPolicyEngine is not null, cilium);
        logger.LogInformation("Connected to cluster {Cluster} at {Server}: engine {Engine}, Cilium policies {Cilium}", alias, configuration.Host, engine, cilium);
        return new CacheEntry(new ClusterConnection(client, facts), timeProvider.GetUtcNow() + options.Value.ClusterCacheDuration);
    }

    // The Entra kubeconfig's user runs kubelogin; that user is dropped and tokens come from the credential.
    private KubernetesClientConfiguration FromAksKubeconfig(string kubeconfigText, bool entraIntegrated)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfigText));
        var kubeconfig = KubernetesClientConfiguration.LoadKubeConfig(stream);
        var hasExec = false;
        foreach (var user in kubeconfig.Users ?? [])
        {
            if (user.UserCredentials?.ExternalExecution is not null)
            {
                hasExec = true;
                user.UserCredentials.ExternalExecution = null;
                // KubernetesClient refuses a user without credentials; the token provider set below wins over it.
                user.UserCredentials.Token = "replaced-by-token-provider";
            }
        }

        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig);
        if (hasExec || entraIntegrated)
        {
            configuration.TokenProvider = new AksTokenProvider(credential, timeProvider);
        }

        return configuration;
    }

    private async Task<bool> ServesCiliumPoliciesAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var groups = await calls.ExecuteAsync(new KubernetesOperation("get", "apis (discovery)"), ct => client.Apis.GetAPIVersionsAsync(ct), cancellationToken);
        if (groups.Groups?.Any(g => g.Name == CiliumNetworkPolicies.Group && g.Versions.Any(v => v.Version == CiliumNetworkPolicies.Version)) != true)
        {
            return false;
        }

        var resources = await calls.ExecuteOrDefaultAsync(
            new KubernetesOperation("get", "apis/cilium.io/v2 (discovery)"),
            ct => client.CustomObjects.GetAPIResourcesAsync(CiliumNetworkPolicies.Group, CiliumNetworkPolicies.Version, ct),
            cancellationToken);
        return resources?.Resources?.Any(r => r.Name == "ciliumnetworkpolicies") == true;
    }

    private sealed record CacheEntry(ClusterConnection Connection, DateTimeOffset ExpiresAt);
}
