using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containment.Isolation.Drift;
using Containment.Local.Hosting;
using Containment.Tests.Support;

namespace Containment.Tests.Isolation;

/// <summary>A drift check over two clusters, one of which cannot be reached: the other is still checked.</summary>
public sealed partial class UnreadableClusterDriftTests(UnreadableClusterDriftTests.TwoClusterHostFixture host) : IClassFixture<UnreadableClusterDriftTests.TwoClusterHostFixture>
{
    public const string Unreachable = "aks-gone";

    [Fact]
    public async Task Check_OneClusterUnreachable_NamesItWithTheReason_AndChecksTheOther()
    {
        var report = await host.Get<LedgerDriftCheck>().CheckAsync(CancellationToken.None);

        var gone = Assert.Single(report.Clusters, cluster => cluster.Cluster == Unreachable);
        var reached = Assert.Single(report.Clusters, cluster => cluster.Cluster == LocalHostFixture.Cluster);
        Assert.False(string.IsNullOrEmpty(gone.Error));
        Assert.Null(reached.Error);
        Assert.DoesNotContain(report.Findings, finding => finding.Cluster == Unreachable);
    }

    [Fact]
    public async Task Watch_ClusterUnreadable_IsReportedOnce()
    {
        await using var rig = new DriftWatchRig(host);

        var first = await rig.Watch.RunAsync(CancellationToken.None);
        var second = await rig.Watch.RunAsync(CancellationToken.None);

        Assert.Equal(Unreachable, Assert.Single(first.UncheckedClusters).Cluster);
        Assert.Empty(second.UncheckedClusters);
        var report = Assert.Single(rig.Receiver.Requests, request => request.Json().GetProperty("uncheckedClusters").GetArrayLength() > 0).Json();
        Assert.Equal(Unreachable, report.GetProperty("uncheckedClusters")[0].GetProperty("cluster").GetString());
    }

    [Theory]
    [InlineData(LocalHostFixture.Cluster, LocalHostFixture.Cluster, false)]
    [InlineData("AKS-GONE", Unreachable, true)]
    public async Task GetDrift_OneCluster_ChecksOnlyThatOne(string asked, string alias, bool unreadable)
    {
        using var client = host.CreateClient();

        var report = (await client.GetFromJsonAsync<JsonObject>(new Uri($"api/drift?cluster={asked}", UriKind.Relative)))!;

        var cluster = Assert.Single(report["clusters"]!.AsArray())!;
        Assert.Equal(alias, (string?)cluster["cluster"]);
        Assert.Equal(unreadable, cluster["error"] is not null);
    }

    [Fact]
    public async Task GetDrift_ClusterNotConfigured_Is404NamingIt()
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("api/drift?cluster=aks-nowhere", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("no configured cluster 'aks-nowhere'", (string?)body["error"]);
        Assert.Equal("cluster", (string?)body["details"]![0]!["pointer"]);
    }

    /// <summary>The local host with a second cluster whose API server address nothing listens on.</summary>
    public sealed partial class TwoClusterHostFixture : LocalHostFixture
    {
        private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("drift-");

        protected override void Configure(IDictionary<string, string?> settings)
        {
            var kubeconfig = File.ReadAllText(settings["Containment:Clusters:" + Cluster + ":Kubeconfig"]!);
            var unreachable = Path.Combine(folder.FullName, "kubeconfig");
            File.WriteAllText(unreachable, ServerPort().Replace(kubeconfig, $"127.0.0.1:{FreePort.Next()}"));
            settings["Containment:Clusters:" + Unreachable + ":Kubeconfig"] = unreachable;
            settings["Containment:Clusters:" + Unreachable + ":ResourceId"] = ResourceId.Replace("aks-shop-prod", Unreachable, StringComparison.Ordinal);
            settings["Containment:Clusters:" + Unreachable + ":NetworkPolicyEngine"] = "Calico";
        }

        [GeneratedRegex(@"127\.0\.0\.1:\d+")]
        private static partial Regex ServerPort();
    }
}
