using System.Globalization;
using Containment.Runs.Embedded;

namespace Containment.Bench;

/// <summary>
/// Table Storage operations and Kubernetes requests per isolate → approve → release run, through the
/// whole product: the alert over HTTP, the shipped playbook, the approval link from chat, the ledger.
/// </summary>
internal static class EconomyBenchmark
{
    public static async Task<EconomyFigures> RunAsync(BenchHost host, int firstPod, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        var runtime = host.Services<EmbeddedRuntime>();
        var storage = host.StorageCounter;
        var storageBefore = storage.ByTable;
        var tableBefore = storage.Count;
        host.Kube.Requests.Reset();

        // One run at a time, so each figure is what a run costs alone; waiting uses the runtime's own idle signal, which reads nothing.
        for (var index = firstPod; index < firstPod + runs; index++)
        {
            var pod = BenchHost.Pod(index);
            using var posted = await host.Http.PostAsync(new Uri("api/alerts", UriKind.Relative), Json(BenchHost.Alert($"economy-{index}", index)), cancellationToken);
            posted.EnsureSuccessStatusCode();
            await runtime.WhenIdleAsync(cancellationToken);
            var link = await host.Chat.LinkAsync(pod, cancellationToken);
            using var decided = await host.Http.PostAsync(link, new FormUrlEncodedContent([new("decision", "approve")]), cancellationToken);
            decided.EnsureSuccessStatusCode();
            await runtime.WhenIdleAsync(cancellationToken);
            await host.ExpectReleasedAsync(pod, cancellationToken);
        }

        var tableOps = (storage.Count - tableBefore) / (double)runs;
        var kubeRequests = host.Kube.Requests.Snapshot().Sum(entry => entry.Value) / (double)runs;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"economy: {runs} isolate → approve → release runs (shipped playbook isolate-escape-reverse-shell, alert and approval over HTTP)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  table operations per run: {tableOps:F1} (target ≤ 15); Kubernetes requests per run: {kubeRequests:F1} (target ≤ 8)"));
        foreach (var (kind, count) in storage.ByTable.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            var delta = count - storageBefore.GetValueOrDefault(kind);
            if (delta > 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    storage {kind}: {delta / (double)runs:F1}"));
            }
        }

        foreach (var (kind, count) in host.Kube.Requests.Snapshot().GroupBy(entry => BenchHost.Shape(entry.Key), entry => entry.Value).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => (group.Key, group.Sum())))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    kubernetes {kind}: {count / (double)runs:F1}"));
        }

        return new EconomyFigures(runs, Math.Round(tableOps, 2), Math.Round(kubeRequests, 2));
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
