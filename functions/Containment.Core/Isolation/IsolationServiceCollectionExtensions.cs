using Azure.Core;
using Azure.Identity;
using Containment.Clusters;
using Containment.Isolation.Actions.CordonNode;
using Containment.Isolation.Actions.UncordonNode;
using Containment.Isolation.Actions.DeletePod;
using Containment.Isolation.Actions.Quarantine;
using Containment.Isolation.Actions.Release;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Containment.Isolation;

public static class IsolationServiceCollectionExtensions
{
    /// <summary>
    /// Cluster registry (section <c>Containment</c>: <c>Clusters:&lt;alias&gt;</c>, <c>ProtectedNamespaces</c>),
    /// the Kubernetes call pipeline and the actions of the steps that act on a cluster (<see cref="ContainmentActions"/>).
    /// A <see cref="TokenCredential"/> or <see cref="TimeProvider"/> registered before wins over the defaults
    /// (DefaultAzureCredential, the system clock).
    /// </summary>
    public static IServiceCollection AddContainmentIsolation(this IServiceCollection services)
    {
        services.AddOptions<ClusterAccessOptions>()
            .BindConfiguration(ClusterAccessOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.TryAddSingleton<AksArmClient>();
        services.TryAddSingleton<KubernetesCallPipeline>();
        services.TryAddSingleton<ClusterRegistry>();
        services.TryAddSingleton<QuarantineReadAhead>();
        services.TryAddSingleton<QuarantinePod>();
        services.TryAddSingleton<ReleasePod>();
        services.TryAddSingleton<DeletePod>();
        services.TryAddSingleton<CordonNode>();
        services.TryAddSingleton<UncordonNode>();
        return services;
    }
}
