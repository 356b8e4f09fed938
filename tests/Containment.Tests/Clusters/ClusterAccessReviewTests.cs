using Containment.Clusters;
using Containment.Tests.Isolation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containment.Tests.Clusters;

/// <summary>The review asks once per verb of Containment's role, and about Cilium's policies only where the cluster serves them.</summary>
public sealed class ClusterAccessReviewTests
{
    private const string ReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MissingAsync_AsksEveryVerbOfTheRole_CiliumOnlyWhereServed_NothingMissingWhereAllIsAllowed(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        var missing = await MissingAsync(harness);

        Assert.NotNull(missing);
        Assert.Empty(missing);
        var asked = ContainmentPermissions.All.Where(permission => cilium || permission.Group != "cilium.io").Sum(permission => permission.Verbs.Count);
        Assert.Equal(cilium ? 17 : 13, asked);
        Assert.Equal(asked, harness.Sim.Requests.Count("POST", ReviewPath));
    }

    [Fact]
    public async Task MissingAsync_ClusterRefusesTheReviews_IsNull_NotMissing()
    {
        // Not knowing what is granted must not read as "nothing is": the drift watch then keeps what it reported.
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Faults.Add(new global::KubeSim.FaultRule { Method = "POST", PathPrefix = ReviewPath, StatusCode = 403, Probability = 1 });
        var missing = await MissingAsync(harness);

        Assert.Null(missing);
        Assert.True(harness.Sim.Requests.Count("POST", ReviewPath) > 0);
    }

    private static async Task<IReadOnlyList<KubernetesPermission>?> MissingAsync(IsolationHarness harness)
    {
        var review = new ClusterAccessReview(harness.Services.GetRequiredService<KubernetesCallPipeline>(), NullLogger<ClusterAccessReview>.Instance);
        var connection = await harness.Services.GetRequiredService<ClusterRegistry>().ConnectAsync(IsolationHarness.Cluster, CancellationToken.None);
        return await review.MissingAsync(IsolationHarness.Cluster, connection, CancellationToken.None);
    }
}
