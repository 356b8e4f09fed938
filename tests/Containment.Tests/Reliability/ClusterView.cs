using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>The cluster as KubeSim holds it, read in-process: unlike reads over HTTP, these meet no injected fault.</summary>
internal sealed class ClusterView(LocalHostFixture host)
{
    public async Task<JsonObject> PodAsync(string pod) =>
        await host.KubeSim.Store.GetAsync(ResourceCatalog.Pods, LocalHostFixture.Namespace, pod, CancellationToken.None)
            ?? throw new InvalidOperationException($"pod {pod} is gone");

    /// <summary>The pod's labels and annotations as JSON text, to compare byte for byte.</summary>
    public async Task<(string Labels, string Annotations)> MetadataAsync(string pod)
    {
        var metadata = (await PodAsync(pod))["metadata"]!;
        return (metadata["labels"]?.ToJsonString() ?? "null", metadata["annotations"]?.ToJsonString() ?? "null");
    }

    public async Task<string?> QuarantineIdAsync(string pod) =>
        (string?)(await PodAsync(pod))["metadata"]!["labels"]?[QuarantineNames.QuarantineLabel];

    public async Task<JsonObject> NodeAsync(string node) =>
        await host.KubeSim.Store.GetAsync(ResourceCatalog.Nodes, null, node, CancellationToken.None)
            ?? throw new InvalidOperationException($"node {node} is gone");

    /// <summary>The names of the CiliumNetworkPolicies in the namespace.</summary>
    public async Task<IReadOnlyList<string>> CiliumPolicyNamesAsync()
    {
        var (items, _) = await host.KubeSim.Store.ListAsync(ResourceCatalog.CiliumNetworkPolicies, LocalHostFixture.Namespace, LabelSelector.Everything, new Dictionary<string, string>(), CancellationToken.None);
        return [.. items.Select(policy => (string)policy["metadata"]!["name"]!)];
    }

    /// <summary>Every NetworkPolicy in the namespace whose pod selector names the pod or its quarantine label.</summary>
    public async Task<IReadOnlyList<string>> PoliciesForAsync(string pod, string? quarantineId)
    {
        var (items, _) = await host.KubeSim.Store.ListAsync(ResourceCatalog.NetworkPolicies, LocalHostFixture.Namespace, LabelSelector.Everything, new Dictionary<string, string>(), CancellationToken.None);
        return items
            .Where(policy => (string?)policy["metadata"]!["annotations"]?[QuarantineNames.PodAnnotation] == pod
                || (quarantineId is not null && (string?)policy["spec"]?["podSelector"]?["matchLabels"]?[QuarantineNames.QuarantineLabel] == quarantineId))
            .Select(policy => (string)policy["metadata"]!["name"]!)
            .ToList();
    }
}
