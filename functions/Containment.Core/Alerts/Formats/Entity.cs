using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>One entity of an alert or incident: its fields (the <c>properties</c> object when wrapped) and where it sits.</summary>
internal sealed record Entity(EntityKind Kind, JsonElement Fields, string Pointer)
{
    public string? Name => Json.String(Fields, "name", "friendlyName");

    /// <summary>
    /// Defender spells kinds <c>K8s-pod</c>, <c>container-image</c>, <c>azure-resource</c>; Sentinel
    /// <c>KubernetesPod</c>, <c>ContainerImage</c>, <c>AzureResource</c>: compare with separators and case folded.
    /// </summary>
    public static EntityKind KindOf(string? type) =>
        (type ?? string.Empty).Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal)
            .Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant() switch
            {
                "K8SPOD" or "KUBERNETESPOD" or "POD" => EntityKind.Pod,
                "K8SNAMESPACE" or "KUBERNETESNAMESPACE" or "NAMESPACE" => EntityKind.Namespace,
                "K8SCLUSTER" or "KUBERNETESCLUSTER" or "CLUSTER" => EntityKind.Cluster,
                "CONTAINER" => EntityKind.Container,
                "CONTAINERIMAGE" => EntityKind.ContainerImage,
                "AZURERESOURCE" => EntityKind.AzureResource,
                "HOST" or "K8SNODE" or "KUBERNETESNODE" => EntityKind.Host,
                _ => EntityKind.Unknown,
            };
}
