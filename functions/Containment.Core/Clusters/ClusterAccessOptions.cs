using System.ComponentModel.DataAnnotations;

namespace Containment.Clusters;

/// <summary>Cluster registry and isolation settings, bound from the <c>Containment</c> section.</summary>
public sealed class ClusterAccessOptions : IValidatableObject
{
    public const string SectionName = "Containment";

    /// <summary>Namespaces never isolated, whatever the configuration says.</summary>
    public static readonly IReadOnlyList<string> AlwaysProtected = ["kube-system", "kube-public", "kube-node-lease"];

    public Dictionary<string, ClusterSettings> Clusters { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> ProtectedNamespaces { get; set; } = [];

    [Required]
    public Uri ArmEndpoint { get; set; } = new("https://management.azure.com");

    [Required]
    public string ArmScope { get; set; } = "https://management.azure.com/.default";

    [Required]
    public string AksApiVersion { get; set; } = "2025-10-01";

    /// <summary>How long a cluster's client and facts are reused before they are read again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ClusterCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Per-request timeout of Kubernetes calls; a timeout is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KubernetesRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(0, 10)]
    public int KubernetesMaxRetries { get; set; } = 4;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan KubernetesRetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (alias, cluster) in Clusters)
        {
            var hasKubeconfig = !string.IsNullOrWhiteSpace(cluster.Kubeconfig);
            var hasResourceId = !string.IsNullOrWhiteSpace(cluster.ResourceId);
            // With a kubeconfig, access goes through it and a ResourceId only names the cluster in alerts.
            if (!hasKubeconfig && !hasResourceId)
            {
                yield return new ValidationResult(
                    $"Containment:Clusters:{alias} needs Kubeconfig (+ Context) or ResourceId",
                    [nameof(Clusters)]);
            }

            if (hasResourceId && !cluster.ResourceId!.Contains("/providers/Microsoft.ContainerService/managedClusters/", StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"Containment:Clusters:{alias}:ResourceId is not an AKS managed cluster resource id",
                    [nameof(Clusters)]);
            }
        }
    }

    public bool IsProtected(string ns) =>
        AlwaysProtected.Contains(ns, StringComparer.Ordinal) || ProtectedNamespaces.Contains(ns, StringComparer.Ordinal);
}
