using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;

namespace Containment.Clusters;

/// <summary>
/// The two ARM calls Containment makes on AKS managed clusters, through Azure.Core's pipeline
/// (retries, bearer token). Azure.ResourceManager.ContainerService is not used.
/// </summary>
public sealed class AksArmClient
{
    private readonly HttpPipeline pipeline;
    private readonly ClusterAccessOptions options;

    public AksArmClient(TokenCredential credential, IOptions<ClusterAccessOptions> options, HttpPipelineTransport? transport = null)
    {
        this.options = options.Value;
        var clientOptions = new ArmClientOptions();
        if (transport is not null)
        {
            clientOptions.Transport = transport;
        }

        pipeline = HttpPipelineBuilder.Build(clientOptions, new BearerTokenAuthenticationPolicy(credential, this.options.ArmScope));
    }

    public async Task<ManagedClusterInfo> GetManagedClusterAsync(string resourceId, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(RequestMethod.Get, resourceId, "", cancellationToken);
        var root = document.RootElement;
        var properties = root.GetProperty("properties");
        var networkPolicy = properties.TryGetProperty("networkProfile", out var network)
            && network.TryGetProperty("networkPolicy", out var policy)
            && policy.ValueKind == JsonValueKind.String
                ? ParseEngine(policy.GetString())
                : NetworkPolicyEngine.None; // AKS default: nothing enforces NetworkPolicy.
        var hasAad = properties.TryGetProperty("aadProfile", out var aad) && aad.ValueKind == JsonValueKind.Object;
        return new ManagedClusterInfo(
            resourceId,
            networkPolicy,
            EntraIntegrated: hasAad && aad.TryGetProperty("managed", out var managed) && managed.ValueKind == JsonValueKind.True,
            AzureRbac: hasAad && aad.TryGetProperty("enableAzureRBAC", out var rbac) && rbac.ValueKind == JsonValueKind.True,
            Fqdn: properties.TryGetProperty("fqdn", out var fqdn) ? fqdn.GetString() : null,
            PrivateFqdn: properties.TryGetProperty("privateFQDN", out var privateFqdn) ? privateFqdn.GetString() : null);
    }

    /// <summary>The user kubeconfig (server, CA, exec user) as YAML text.</summary>
    public async Task<string> GetUserKubeconfigAsync(string resourceId, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(RequestMethod.Post, resourceId, "/listClusterUserCredential", cancellationToken);
        var kubeconfigs = document.RootElement.GetProperty("kubeconfigs");
        if (kubeconfigs.GetArrayLength() == 0)
        {
            throw new KubernetesOperationException(new KubernetesFailure(KubernetesFailureReason.Invalid, $"ARM returned no kubeconfig for {resourceId}"));
        }

        return Encoding.UTF8.GetString(Convert.FromBase64String(kubeconfigs[0].GetProperty("value").GetString() ?? ""));
    }

    internal static NetworkPolicyEngine ParseEngine(string? value) => value?.ToLowerInvariant() switch
    {
        "azure" => NetworkPolicyEngine.Azure,
        "calico" => NetworkPolicyEngine.Calico,
        "cilium" => NetworkPolicyEngine.Cilium,
        "none" or null or "" => NetworkPolicyEngine.None,
        _ => NetworkPolicyEngine.Unknown,
    };

    private async Task<JsonDocument> SendAsync(RequestMethod method, string resourceId, string action, CancellationToken cancellationToken)
    {
        using var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(options.ArmEndpoint, resourceId.TrimEnd('/') + action + "?api-version=" + options.AksApiVersion));
        request.Headers.Add("Accept", "application/json");
        if (method == RequestMethod.Post)
        {
            request.Content = RequestContent.Create(Array.Empty<byte>());
        }

        await pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        if (response.IsError)
        {
            var operation = new KubernetesOperation(method == RequestMethod.Get ? "get" : "post", "managedClusters" + action, Name: resourceId);
            var reason = response.Status switch
            {
                401 => KubernetesFailureReason.Unauthorized,
                403 => KubernetesFailureReason.Forbidden,
                404 => KubernetesFailureReason.NotFound,
                429 => KubernetesFailureReason.TooManyRequests,
                >= 500 => KubernetesFailureReason.ServerError,
                _ => KubernetesFailureReason.Unknown,
            };
            var verb = reason == KubernetesFailureReason.Forbidden ? "forbidden: the identity may not " : $"ARM {response.Status}: ";
            throw new KubernetesOperationException(new KubernetesFailure(reason, verb + operation, response.Status));
        }

        return await JsonDocument.ParseAsync(response.ContentStream!, cancellationToken: cancellationToken);
    }

    private sealed class ArmClientOptions : ClientOptions;
}
