using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Isolation.Actions.Quarantine;
using global::KubeSim;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Tests.Isolation;

/// <summary>An isolation uses the pod read and the policy list made ahead of it only while they are fresh and worked.</summary>
public sealed class QuarantineReadAheadTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAhead_ThenIsolate_ReadsMadeOnceBeforeIt_IsolationOnlyWrites(bool cilium)
    {
        await using var harness = await IsolationHarness.StartAsync(cilium);
        await harness.Quarantine.PreflightAsync(IsolationHarness.Pod(), CancellationToken.None);
        harness.Sim.Requests.Reset();

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        await CarriedOutAsync(harness, IsolationHarness.PodPath);
        await CarriedOutAsync(harness, IsolationHarness.PoliciesPath);
        Assert.Equal(0, harness.Sim.Requests.Writes);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        var expected = new Dictionary<string, int>
        {
            ["GET " + IsolationHarness.PodPath] = 1,
            ["GET " + IsolationHarness.PoliciesPath] = 1,
            ["POST " + IsolationHarness.PoliciesPath] = 1,
            ["PATCH " + IsolationHarness.PodPath] = 1,
        };
        if (cilium)
        {
            expected["POST /apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies"] = 1;
        }

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(expected, harness.Sim.Requests.Snapshot());
        Assert.Equal(0, ReadAhead(harness).Count);
    }

    [Theory]
    [InlineData(IsolationHarness.PodPath)]
    [InlineData(IsolationHarness.PoliciesPath)]
    public async Task ReadAhead_Failed_IsolationReadsAgainAndSucceeds(string failedPath)
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Sim.Faults.Add(new FaultRule { Method = "GET", PathPrefix = failedPath, StatusCode = 403, Count = 1 });

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.True(outcome.Verified);
        Assert.Equal(2, harness.Sim.Requests.Count("GET", failedPath));
    }

    [Fact]
    public async Task ReadAhead_OlderThanMaxAge_Dropped_IsolationReadsAgain()
    {
        await using var harness = await IsolationHarness.StartAsync();

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        await CarriedOutAsync(harness, IsolationHarness.PodPath);
        Assert.Equal(1, ReadAhead(harness).Count);
        harness.Time.Advance(QuarantineReadAhead.MaxAge);
        Assert.Equal(0, ReadAhead(harness).Count);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.Equal(2, harness.Sim.Requests.Count("GET", IsolationHarness.PodPath));
    }

    [Fact]
    public async Task ReadAhead_SamePodTwice_OneReadOfEach()
    {
        await using var harness = await IsolationHarness.StartAsync();

        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        Assert.Equal(1, ReadAhead(harness).Count);
        await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        Assert.Equal(1, harness.Sim.Requests.Count("GET", IsolationHarness.PodPath));
        Assert.Equal(1, harness.Sim.Requests.Count("GET", IsolationHarness.PoliciesPath));
    }

    [Theory]
    [InlineData("kube-system", "coredns-1")]
    [InlineData("payments", "payments-0")]
    public async Task ReadAhead_ProtectedNamespace_ReadsNothing(string ns, string pod)
    {
        await using var harness = await IsolationHarness.StartAsync();

        harness.Quarantine.ReadAhead(IsolationHarness.Request(ns, pod), CancellationToken.None);

        Assert.Equal(0, ReadAhead(harness).Count);
        Assert.Equal(PreflightFailureReason.NamespaceProtected, (await harness.Quarantine.IsolateAsync(IsolationHarness.Request(ns, pod), CancellationToken.None)).Refusal!.Reason);
        Assert.Equal(0, harness.Sim.Requests.Count("GET", $"/api/v1/namespaces/{ns}/"));
        Assert.Equal(0, harness.Sim.Requests.Count("GET", $"/apis/networking.k8s.io/v1/namespaces/{ns}/"));
    }

    [Fact]
    public async Task ReadAhead_PodRelabelledAfterTheRead_IsolationSavesTheLabelsThePodHasNow()
    {
        await using var harness = await IsolationHarness.StartAsync();
        harness.Quarantine.ReadAhead(IsolationHarness.Request(), CancellationToken.None);
        await CarriedOutAsync(harness, IsolationHarness.PodPath);

        await harness.Sim.Store.PatchAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", "application/merge-patch+json",
            JsonNode.Parse("""{"metadata":{"labels":{"version":"v2"}}}""")!, CancellationToken.None);
        var outcome = await harness.Quarantine.IsolateAsync(IsolationHarness.Request(), CancellationToken.None);

        // The relabel carried the resourceVersion read ahead: refused as a conflict, it read the pod again.
        Assert.Equal(IsolationStatus.Isolated, outcome.Status);
        Assert.Equal("v2", outcome.SavedLabels!["version"]);
        var pod = (await harness.Sim.Store.GetAsync(ResourceCatalog.Pods, "shop", "web-7d9f-abcde", CancellationToken.None))!;
        var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(pod["metadata"]!["annotations"]![QuarantineNames.SavedLabelsAnnotation]!.GetValue<string>())!;
        Assert.Equal("v2", saved["version"]);
        Assert.Equal(2, harness.Sim.Requests.Count("PATCH", IsolationHarness.PodPath));
        Assert.Equal(2, harness.Sim.Requests.Count("GET", IsolationHarness.PodPath));
    }

    private static QuarantineReadAhead ReadAhead(IsolationHarness harness) => harness.Services.GetRequiredService<QuarantineReadAhead>();

    /// <summary>Waits (on real time: this is I/O) until KubeSim has answered a GET under <paramref name="path"/>.</summary>
    private static async Task CarriedOutAsync(IsolationHarness harness, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (harness.Sim.Requests.CarriedOut("GET", path) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"GET {path} was not answered");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }
}
