using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Containment.Isolation;

/// <summary>The labels, annotations and object names quarantine uses.</summary>
public static partial class QuarantineNames
{
    public const string QuarantineLabel = "containment.io/quarantine";
    public const string SavedLabelsAnnotation = "containment.io/saved-labels";
    public const string PodAnnotation = "containment.io/pod";
    public const string RunAnnotation = "containment.io/run";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "containment";
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";
    private const string PolicyPrefix = "containment-quarantine-";
    private const int MaxNameLength = 253;
    private const int MaxLabelValueLength = 63;

    /// <summary>Whether the pod exists and carries a quarantine label, whatever its value.</summary>
    public static bool IsQuarantined(V1Pod? pod) => QuarantineIdOf(pod) is not null;

    /// <summary>The quarantine id the pod's quarantine label carries; null when the pod is gone or carries none.</summary>
    public static string? QuarantineIdOf(V1Pod? pod) =>
        pod?.Metadata.Labels is { } labels && labels.TryGetValue(QuarantineLabel, out var id) ? id : null;

    /// <summary>The quarantine id a NetworkPolicy's pod selector names; null when it names none.</summary>
    public static string? FencedBy(V1NetworkPolicy? policy) =>
        policy?.Spec?.PodSelector?.MatchLabels is { } selects && selects.TryGetValue(QuarantineLabel, out var id) ? id : null;

    /// <summary>The quarantine id a CiliumNetworkPolicy's endpoint selector names; null when it names none.</summary>
    public static string? FencedBy(JsonNode? ciliumPolicy) =>
        ciliumPolicy?["spec"]?["endpointSelector"]?["matchLabels"]?[QuarantineLabel] is JsonValue id && id.TryGetValue(out string? value) ? value : null;

    /// <summary>Deterministic policy name for a pod: a DNS-1123 subdomain of at most 253 characters.</summary>
    public static string PolicyName(string pod)
    {
        var name = PolicyPrefix + pod.ToLowerInvariant();
        if (name.Length <= MaxNameLength)
        {
            return name;
        }

        var hash = Hash(pod, 10);
        return name[..(MaxNameLength - hash.Length - 1)].TrimEnd('-', '.') + "-" + hash;
    }

    /// <summary>A valid label value for a quarantine id; ids that are not become a stable hash.</summary>
    public static string LabelValue(string quarantineId) =>
        quarantineId.Length <= MaxLabelValueLength && LabelValuePattern().IsMatch(quarantineId)
            ? quarantineId
            : "q-" + Hash(quarantineId, 20);

    private static string Hash(string value, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..length];

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();
}
