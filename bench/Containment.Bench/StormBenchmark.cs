using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Alerts;
using Containment.Runs.Embedded;
using KubeSim;

namespace Containment.Bench;

/// <summary>
/// An alert storm: distinct alerts spread over a few hundred pods, each delivered twice, all sent
/// concurrently. One run and one isolation per pod, one set of Kubernetes writes per pod.
/// </summary>
internal static class StormBenchmark
{
    private const int Senders = 64;

    /// <summary>Pods seeded after the storm's own for the warm-up; the host is seeded with both.</summary>
    public const int WarmUpPods = 100;

    private const int WarmUpAlerts = 2_000;

    /// <summary>How many times the first page of events is read after the storm, for its median.</summary>
    private const int EventsPageReads = 5;

    private const int MaxWarmUpRounds = 15;

    /// <summary>A round that compiles fewer new method bodies than this ends the warm-up.</summary>
    private const long SettledCompilations = 100;

    /// <param name="warmUp">False: the storm meets a host just started, still compiling its hot paths.</param>
    public static async Task<StormFigures> RunAsync(BenchHost host, int alerts, int pods, bool warmUp, TextWriter output, CancellationToken cancellationToken)
    {
        var (rounds, compiled) = warmUp ? await WarmUpAsync(host, pods, cancellationToken) : (0, 0);

        var deliveries = Deliveries(alerts);
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var started = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        host.Kube.Requests.Reset();
        var storage = host.StorageCounter;
        var storageBefore = storage.ByTable;

        using var self = Process.GetCurrentProcess();
        var cpuBefore = (Host: self.TotalProcessorTime, Azurite: host.Azurite.ProcessorTime);
        var clock = Stopwatch.StartNew();
        await SendAsync(host, deliveries, index => BenchHost.Alert($"storm-{index}", index % pods), (outcome, instanceId) =>
        {
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            if (outcome == "started")
            {
                started.TryAdd(instanceId, 0);
            }
        }, cancellationToken);
        var accepted = clock.Elapsed;
        self.Refresh();
        var cpu = (Host: self.TotalProcessorTime - cpuBefore.Host, Azurite: host.Azurite.ProcessorTime - cpuBefore.Azurite);
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
        if (host.OneWay > TimeSpan.Zero)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  every storage and Kubernetes request and answer held {host.OneWay.TotalMilliseconds:F0} ms each way by relays"));
        }

        output.WriteLine(warmUp
            ? string.Create(CultureInfo.InvariantCulture, $"  after a warm-up of {rounds} rounds of {WarmUpAlerts} alerts on {WarmUpPods} other pods ({compiled} methods compiled in the last)")
            : "  on a host just started (no warm-up)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  accepted in {accepted.TotalSeconds:F2} s: {figures.AlertsPerSecond:F0} alerts/s, {deliveries.Length / accepted.TotalSeconds:F0} deliveries/s (target ≥ 2,000 alerts/s); outcomes {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"))}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CPU while accepting: {cpu.Host.TotalMilliseconds * 1000 / deliveries.Length:F0} µs per delivery in the host process (host, senders and KubeSim), {cpu.Azurite.TotalMilliseconds * 1000 / deliveries.Length:F0} µs in Azurite; {(cpu.Host + cpu.Azurite) / accepted:F2} of {Environment.ProcessorCount} cores"));
        WriteStorage(output, storageBefore, storageDuring, deliveries.Length);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  runs started: {figures.Runs}; isolated in the ledger: {isolations}; NetworkPolicies: {isolated}; all isolated after {figures.SecondsToAllIsolated:F2} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Kubernetes writes: {policyWrites} policy creates, {podPatches} pod patches ({figures.KubernetesWritesPerPod:F2} per pod; 2 means none twice)"));
        var (events, stored) = await CountEventsAsync(host, pods, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  security events: {string.Join(", ", events.OrderBy(e => e.Key).Select(e => $"{e.Value} {KebabCaseEnumConverter.ToWireName(e.Key)}"))} (each run's isolation marks its own alert's and those that joined the run before; one that joins a run holding its pod isolated is stored processed)"));
        if (figures.Runs != pods || isolations != pods || policyWrites != pods || podPatches != pods)
        {
            throw new InvalidOperationException($"the storm broke the one-run-per-pod rule: {figures.Runs} runs, {isolations} isolations, {policyWrites} policies, {podPatches} patches for {pods} pods");
        }

        var processed = events.GetValueOrDefault(EventStatus.Processed);
        if (processed != alerts)
        {
            throw new InvalidOperationException($"the storm left events unmarked: {processed} of {alerts} processed once every pod was isolated");
        }

        var (pageMs, pageKb, listed) = await TimeEventsPageAsync(host, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  GET /api/events after the storm: a page of {listed} events, {pageKb:F0} KB, in {pageMs:F0} ms (median of {EventsPageReads}; each reads all {stored} events stored, the warm-up's included)"));
        var drift = await TimeDriftCheckAsync(host, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  GET /api/drift after the storm: {drift.QuarantinedPods} quarantined pods, {drift.IsolatedRecords} records isolated, {drift.Findings} disagreements, in {drift.Ms:F0} ms"));
        if (drift.Findings != 0)
        {
            throw new InvalidOperationException($"the drift check found {drift.Findings} disagreements between the cluster and the ledger after the storm");
        }

        return figures with { EventsProcessed = processed, EventsPageMs = pageMs, EventsPageKb = pageKb, DriftCheckMs = drift.Ms };
    }

    /// <summary>One drift check of the idle host: its time, what it compared and what disagreed.</summary>
    private static async Task<(double Ms, int QuarantinedPods, int IsolatedRecords, int Findings)> TimeDriftCheckAsync(BenchHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var report = (await host.Http.GetFromJsonAsync<JsonObject>(new Uri("api/drift", UriKind.Relative), cancellationToken))!;
        var ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        var cluster = report["clusters"]!.AsArray().Single()!;
        return (ms, (int)cluster["quarantinedPods"]!, (int)cluster["isolatedRecords"]!, report["findings"]!.AsArray().Count);
    }

    /// <summary>The first page of <c>GET /api/events</c>, read <see cref="EventsPageReads"/> times: its median time, its size, and how many events it held.</summary>
    private static async Task<(double Ms, double Kb, int Events)> TimeEventsPageAsync(BenchHost host, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var (bytes, listed) = (0, 0);
        for (var read = 0; read < EventsPageReads; read++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await host.Http.GetAsync(new Uri("api/events", UriKind.Relative), cancellationToken);
            var body = await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync(cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            bytes = body.Length;
            listed = JsonNode.Parse(body)!["events"]!.AsArray().Count;
        }

        return (Percentile.Of(times, 50), Math.Round(bytes / 1024.0, 1), listed);
    }

    /// <summary>
    /// The storm meets a host that has been serving, as a real one would: rounds of the same kind of load on pods
    /// of their own until the runtime stops compiling, then the runs they started settle.
    /// </summary>
    private static async Task<(int Rounds, long Compiled)> WarmUpAsync(BenchHost host, int pods, CancellationToken cancellationToken)
    {
        var warmedUp = await WarmUp.UntilCompiledAsync(
            round => SendAsync(host, Deliveries(WarmUpAlerts), index => BenchHost.Alert($"warm-up-{(round * WarmUpAlerts) + index}", pods + (index % WarmUpPods)), (_, _) => { }, cancellationToken),
            SettledCompilations,
            MaxWarmUpRounds);
        await host.Services<EmbeddedRuntime>().WhenIdleAsync(cancellationToken);
        return warmedUp;
    }

    /// <summary>Every alert twice, in a shuffled order, so duplicates arrive concurrently and out of order.</summary>
    private static int[] Deliveries(int alerts)
    {
        var deliveries = Enumerable.Range(0, alerts).SelectMany(index => new[] { index, index }).ToArray();
        new Random(20261123).Shuffle(deliveries);
        return deliveries;
    }

    /// <summary>Posts every delivery from <see cref="Senders"/> concurrent senders; each answer's outcome and run go to <paramref name="answered"/>.</summary>
    private static Task SendAsync(BenchHost host, int[] deliveries, Func<int, string> alert, Action<string, string> answered, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = Senders, CancellationToken = cancellationToken }, async (index, token) =>
        {
            using var response = await host.Http.PostAsync(new Uri("api/alerts", UriKind.Relative), new StringContent(alert(index), Encoding.UTF8, "application/json"), token);
            if ((int)response.StatusCode != 202)
            {
                throw new InvalidOperationException($"alert {index} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
            }

            // A document over pooled memory: the senders share the host's two cores, so they parse as little as they can.
            using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(token), cancellationToken: token);
            var entry = answer.RootElement.GetProperty("alerts")[0];
            answered(entry.GetProperty("outcome").GetString()!, entry.GetProperty("instanceId").GetString()!);
        });

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
        var policies = StormPods(pods).Select(pod => $"containment-quarantine-{pod}").ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var (items, _) = await host.Kube.Store.ListAsync(ResourceCatalog.NetworkPolicies, BenchHost.Namespace, LabelSelector.Everything, new Dictionary<string, string>(), cancellationToken);
            var ofStorm = items.Count(item => policies.Contains((string?)item["metadata"]?["name"] ?? string.Empty));
            if (ofStorm >= pods || DateTime.UtcNow > deadline)
            {
                return ofStorm;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static async Task<int> CountIsolatedAsync(BenchHost host, int pods, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var ofStorm = StormPods(pods);
        while (true)
        {
            var isolated = 0;
            await foreach (var record in host.Services<Ledger.IsolationLedger>().ReadAllAsync(new Ledger.IsolationQuery(Ledger.IsolationStatus.Isolated), cancellationToken))
            {
                isolated += ofStorm.Contains(record.Pod) ? 1 : 0;
            }

            if (isolated >= pods || DateTime.UtcNow > deadline)
            {
                return isolated;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>The storm's security events by status, and how many events are stored in all, once its runs are idle (not timed).</summary>
    private static async Task<(Dictionary<EventStatus, int> Storm, int Stored)> CountEventsAsync(BenchHost host, int pods, CancellationToken cancellationToken)
    {
        await host.Services<EmbeddedRuntime>().WhenIdleAsync(cancellationToken);
        var ofStorm = StormPods(pods);
        var counts = new Dictionary<EventStatus, int>();
        var stored = 0;
        await foreach (var record in host.Services<Ledger.SecurityEventLedger>().ReadAllAsync(status: null, cancellationToken))
        {
            stored++;
            if (ofStorm.Contains(record.Alert.Target.Pod))
            {
                counts[record.Status] = counts.GetValueOrDefault(record.Status) + 1;
            }
        }

        return (counts, stored);
    }

    /// <summary>The storm's own pods (the warm-up's come after them).</summary>
    private static HashSet<string> StormPods(int pods) => Enumerable.Range(0, pods).Select(BenchHost.Pod).ToHashSet(StringComparer.Ordinal);
}
