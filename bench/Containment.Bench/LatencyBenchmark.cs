using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using QuarantineNames = Containment.Isolation.QuarantineNames;
using Containment.Ledger;
using Containment.Runs;
using KubeSim;

namespace Containment.Bench;

/// <summary>
/// Alert to isolation: from <c>POST /api/alerts</c> until the NetworkPolicy exists on the cluster and the
/// ledger says Isolated, one alert at a time on distinct pods. The floor makes the same Kubernetes calls
/// and one ledger write directly, so the ratio is what the product adds.
/// </summary>
internal static class LatencyBenchmark
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(1);

    public static async Task<LatencyFigures> RunAsync(BenchHost host, int alerts, TextWriter output, CancellationToken cancellationToken)
    {
        // Half the seeded pods go to the product, half to the floor; a few warm-up alerts come first.
        const int WarmUp = 5;
        var product = new List<double>(alerts);
        for (var index = 0; index < alerts + WarmUp; index++)
        {
            var elapsed = await ProductOnceAsync(host, index, cancellationToken);
            if (index >= WarmUp)
            {
                product.Add(elapsed.TotalMilliseconds);
            }
        }

        var floor = new List<double>(alerts);
        using var kube = new HttpClient { BaseAddress = host.Kube.BaseUrl };
        var ledger = new TableServiceClient(host.Azurite.ConnectionString).GetTableClient("FloorLedger");
        await ledger.CreateIfNotExistsAsync(cancellationToken);
        for (var index = 0; index < alerts + WarmUp; index++)
        {
            var elapsed = await FloorOnceAsync(kube, ledger, alerts + WarmUp + index, cancellationToken);
            if (index >= WarmUp)
            {
                floor.Add(elapsed.TotalMilliseconds);
            }
        }

        var figures = new LatencyFigures(
            alerts,
            Percentile(product, 50), Percentile(product, 95), Percentile(product, 99),
            Percentile(floor, 50), Percentile(floor, 95), Percentile(floor, 99),
            Math.Round(Percentile(product, 50) / Percentile(floor, 50), 2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency: {alerts} alerts, one at a time on distinct pods, POST /api/alerts → NetworkPolicy on the cluster and ledger Isolated"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  product p50 {figures.P50Ms:F1} ms, p95 {figures.P95Ms:F1} ms, p99 {figures.P99Ms:F1} ms (target p99 < 250 ms)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  floor   p50 {figures.FloorP50Ms:F1} ms, p95 {figures.FloorP95Ms:F1} ms, p99 {figures.FloorP99Ms:F1} ms (GET pod, PATCH pod, POST policy, LIST other policies, one table insert)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio at p50: {figures.RatioP50:F2} (target ≤ 1.5)"));
        return figures;
    }

    private static async Task<TimeSpan> ProductOnceAsync(BenchHost host, int index, CancellationToken cancellationToken)
    {
        var pod = BenchHost.Pod(index);
        var id = RunInstanceId.ForTarget(BenchHost.Cluster, BenchHost.Namespace, pod);
        var isolations = host.Services<IsolationLedger>();
        var clock = Stopwatch.StartNew();
        using var posted = await host.Http.PostAsync(
            new Uri("api/alerts", UriKind.Relative), new StringContent(BenchHost.Alert($"latency-{index}", index), Encoding.UTF8, "application/json"), cancellationToken);
        posted.EnsureSuccessStatusCode();

        // The policy is read from KubeSim's memory (no request); the ledger only once the policy is there, since it is written after.
        while (await host.Kube.Store.GetAsync(ResourceCatalog.NetworkPolicies, BenchHost.Namespace, $"containment-quarantine-{pod}", cancellationToken) is null)
        {
            await Task.Delay(Poll, cancellationToken);
        }

        while ((await isolations.GetAsync(id, cancellationToken))?.Status != IsolationStatus.Isolated)
        {
            await Task.Delay(Poll, cancellationToken);
        }

        return clock.Elapsed;
    }

    private static async Task<TimeSpan> FloorOnceAsync(HttpClient kube, TableClient ledger, int index, CancellationToken cancellationToken)
    {
        var pod = BenchHost.Pod(index);
        var podPath = new Uri($"api/v1/namespaces/{BenchHost.Namespace}/pods/{pod}", UriKind.Relative);
        var policies = new Uri($"apis/networking.k8s.io/v1/namespaces/{BenchHost.Namespace}/networkpolicies", UriKind.Relative);

        // The list the product makes after its writes: policies it does not manage (its own are labelled).
        var others = new Uri($"{policies}?labelSelector={Uri.EscapeDataString(QuarantineNames.ManagedByLabel + "!=" + QuarantineNames.ManagedByValue)}", UriKind.Relative);
        var clock = Stopwatch.StartNew();
        var read = (await kube.GetFromJsonAsync<JsonObject>(podPath, cancellationToken))!;
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = read["metadata"]!["resourceVersion"]!.DeepClone(),
                ["labels"] = new JsonObject { ["app"] = null, ["tier"] = null, ["containment.io/quarantine"] = $"q-{index}" },
                ["annotations"] = new JsonObject { ["containment.io/saved-labels"] = read["metadata"]!["labels"]!.ToJsonString() },
            },
        };
        using var patched = await kube.PatchAsync(podPath, new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"), cancellationToken);
        patched.EnsureSuccessStatusCode();
        var policy = new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "NetworkPolicy",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"floor-{pod}",
                ["namespace"] = BenchHost.Namespace,
                ["labels"] = new JsonObject { [QuarantineNames.ManagedByLabel] = QuarantineNames.ManagedByValue },
            },
            ["spec"] = new JsonObject
            {
                ["podSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["containment.io/quarantine"] = $"q-{index}" } },
                ["policyTypes"] = new JsonArray("Ingress", "Egress"),
            },
        }.ToJsonString();
        using var created = await kube.PostAsync(policies, new StringContent(policy, Encoding.UTF8, "application/json"), cancellationToken);
        created.EnsureSuccessStatusCode();
        using var listed = await kube.GetAsync(others, cancellationToken);
        listed.EnsureSuccessStatusCode();
        await listed.Content.ReadAsStringAsync(cancellationToken);
        await ledger.AddEntityAsync(new TableEntity("floor", pod) { ["Status"] = "Isolated", ["Policy"] = $"floor-{pod}" }, cancellationToken);
        return clock.Elapsed;
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Count - 1)], 2);
    }
}
