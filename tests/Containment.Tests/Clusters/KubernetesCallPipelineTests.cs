using Containment.Clusters;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Clusters;

/// <summary>
/// Failures of a Kubernetes call that carry no HTTP answer, as the pipeline words them (answers of an API server are
/// tested against KubeSim, in StepActivityTests).
/// </summary>
public sealed class KubernetesCallPipelineTests
{
    private static readonly KubernetesOperation Patch = new("patch", "pods", "shop", "web-7d9f-abcde");

    private readonly KubernetesCallPipeline pipeline = new(Options.Create(new ClusterAccessOptions()), TimeProvider.System, NullLogger<KubernetesCallPipeline>.Instance);

    [Fact]
    public async Task Execute_CallThrowsNoKnownError_UnknownNamingTheCallAndTheError_NotRetried()
    {
        var tries = 0;

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => pipeline.ExecuteAsync<int>(
            Patch, _ => throw new InvalidOperationException($"the answer could not be read (try {++tries})"), CancellationToken.None));

        Assert.Equal(new KubernetesFailure(KubernetesFailureReason.Unknown, "patch pods \"web-7d9f-abcde\" in namespace shop: the answer could not be read (try 1)"), error.Failure);
        Assert.Equal(1, tries);
    }

    [Fact]
    public async Task Execute_CallThrowsATypedFailure_ItIsKeptAsItIs()
    {
        var failure = new KubernetesFailure(KubernetesFailureReason.Forbidden, "forbidden: the identity may not get nodes", 403);

        var error = await Assert.ThrowsAsync<KubernetesOperationException>(() => pipeline.ExecuteAsync<int>(
            Patch, _ => throw new KubernetesOperationException(failure), CancellationToken.None));

        Assert.Same(failure, error.Failure);
    }
}
