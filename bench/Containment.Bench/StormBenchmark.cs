using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using KubeSim;

namespace Containment.Bench;

/// <summary>
/// An alert storm: distinct alerts spread over a few hundred pods, each delivered twice, all sent
/// concurrently. One run and one isolation per pod, one set of Kubernetes writes per pod.
/// </summary>
internal static class StormBenchmark
{
    private const int Senders = 64;

    public static async Task<StormFigures> RunAsync(BenchHost host, int alerts, int pods, TextWriter output, CancellationToken cancellationToken)
    {
        // Every alert twice, in a shuffled order, so duplicates arrive concurrently and out of order.
        var deliveries = Enumerable.Range(0, alerts).SelectMany(index => new[] { index, index }).ToArray();
        new Random(20261123).Shuffle(deliveries);
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var started = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        host.Kube.Requests.Reset();
        var storage = host.StorageCounter;
        var storageBefore = storage.ByTable;

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = Senders, CancellationToken = cancellationToken }, async (index, token) =>
        {
            using var response = await host.Http.PostAsync(
                new Uri("api/alerts", UriKind.Relative), new StringContent(BenchHost.Alert($"storm-{index}", index % pods), Encoding.UTF8, "application/json"), token);
            if ((int)response.StatusCode != 202)
            {
                throw new InvalidOperationException($"alert storm-{index} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
            }

            var entry = (await response.Content.ReadFromJsonAsync<JsonObject>(token))!["alerts"]![0]!;
            var outcome = (string)entry["outcome"]!;
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            if (outcome == "started")
            {
                started.TryAdd((string)entry["instanceId"]!, 0);
            }
        });
        var accepted = clock.Elapsed;
        var storageDuring = storage.ByTable;

        var isolated = await WaitForPoliciesAsync(host, pods, cancellationToken);
        var allIsolated = clock.Elapsed;
        var isolations = await CountIsolatedAsync(host, pods, cancellationToken);
        var requests = host.Kube.Requests;
        var policyWrites = requests.Count("POST", $"/apis/networking.k8s.io/v1/namespaces/{BenchHost.Namespace}/networkpolicies");
        var podPatches = requests.Count("PATCH", $"/api/v1/namespaces/{BenchHost.Namespace}/pods/");
        var figures = new StormFigures(
            alerts,
            deliveries.Length,
            pods,
            Math.Round(alerts / accepted.TotalSeconds, 1),
            started.Count,
            isolations,
            Math.Round((policyWrites + podPatches) / (double)pods, 2),
            Math.Round(allIsolated.TotalSeconds, 2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm: {alerts} alerts over {pods} pods, each delivered twice ({deliveries.Length} POSTs from {Senders} concurrent senders)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  accepted in {accepted.TotalSeconds:F2} s: {figures.AlertsPerSecond:F0} alerts/s, {deliveries.Length / accepted.TotalSeconds:F0} deliveries/s (target ≥ 2,000 alerts/s); outcomes {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"))}"));
        WriteStorage(output, storageBefore, storageDuring, deliveries.Length);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  runs started: {figures.Runs}; isolated in the ledger: {isolations}; NetworkPolicies: {isolated}; all isolated after {figures.SecondsToAllIsolated:F2} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Kubernetes writes: {policyWrites} policy creates, {podPatches} pod patches ({figures.KubernetesWritesPerPod:F2} per pod; 2 means none twice)"));
        if (figures.Runs != pods || isolations != pods || policyWrites != pods || podPatches != pods)
        {
            throw new InvalidOperationException($"the storm broke the one-run-per-pod rule: {figures.Runs} runs, {isolations} isolations, {policyWrites} policies, {podPatches} patches for {pods} pods");
        }

        return figures;
    }

    /// <summary>The profile of the acceptance window: storage operations per delivery by kind and table (runs that started add theirs).</summary>
    private static void WriteStorage(TextWriter output, IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, int deliveries)
    {
        var deltas = after.Select(entry => (entry.Key, Delta: entry.Value - before.GetValueOrDefault(entry.Key))).Where(entry => entry.Delta > 0).OrderBy(entry => entry.Key, StringComparer.Ordinal).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  storage operations while accepting: {deltas.Sum(entry => entry.Delta)} ({deltas.Sum(entry => entry.Delta) / (double)deliveries:F2} per delivery, the started runs' own included)"));
        foreach (var (kind, delta) in deltas)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    storage {kind}: {delta} ({delta / (double)deliveries:F3} per delivery)"));
        }
    }

    private static async Task<int> WaitForPoliciesAsync(BenchHost host, int pods, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var (items, _) = await host.Kube.Store.ListAsync(ResourceCatalog.NetworkPolicies, BenchHost.Namespace, LabelSelector.Everything, new Dictionary<string, string>(), cancellationToken);
            if (items.Count >= pods || DateTime.UtcNow > deadline)
            {
                return items.Count;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static async Task<int> CountIsolatedAsync(BenchHost host, int pods, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var isolated = await host.Services<Ledger.IsolationLedger>().ListAsync(new Ledger.IsolationQuery(Ledger.IsolationStatus.Isolated, null, null), cancellationToken);
            if (isolated.Count >= pods || DateTime.UtcNow > deadline)
            {
                return isolated.Count;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
