using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using QuarantineNames = Containment.Isolation.QuarantineNames;
using Containment.Ledger;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using KubeSim;
using Microsoft.Extensions.Options;

namespace Containment.Bench;

/// <summary>
/// Alert to isolation: from <c>POST /api/alerts</c> until the NetworkPolicy exists on the cluster and the
/// ledger says Isolated, one alert at a time on distinct pods. The end is the moment the product's
/// <c>ledger.write</c> span of the Isolated record closes (the policy is created and verified before it), so no
/// polling interval is counted. Each alert is measured alone: the next is sent once the run waits on its approval.
/// The floor makes the same Kubernetes calls and the same ledger write (the record and its audit row in one
/// transaction) directly, so the ratio is what the product adds. A second floor first stores the product's run
/// row, as a durable run must before it acts: its ratio is what the product adds beyond that. With relays holding
/// every request and answer (<c>--one-way-ms</c>, <see cref="DelayingRelay"/>), the host and both floors reach storage
/// and the API server as from another machine, and round trips weigh as they do there.
/// </summary>
internal static class LatencyBenchmark
{
    private const int WarmUpRound = 20;

    private const int MaxWarmUpRounds = 10;

    /// <summary>A warm-up round that compiles fewer new method bodies than this ends the warm-up.</summary>
    private const long SettledCompilations = 20;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private const int PodReads = 50;

    /// <summary>The pods to seed for <paramref name="alerts"/> measured alerts: a third each for the product, the floor and the durable floor, warm-up included.</summary>
    public static int PodsFor(int alerts) => 3 * PodsEach(alerts);

    public static async Task<LatencyFigures> RunAsync(BenchHost host, int alerts, TextWriter output, CancellationToken cancellationToken)
    {
        // A third of the seeded pods each go to the product, the floor and the durable floor. They take turns, so
        // a machine that speeds up or slows down during the run moves all alike. Warm-up rounds come first, until
        // the runtime stops compiling: what is measured is a host that has been serving, not one just started.
        var product = new List<double>(alerts);
        var floor = new List<double>(alerts);
        var durableFloor = new List<double>(alerts);
        using var isolated = new IsolatedRecords();
        using var kube = new HttpClient { BaseAddress = host.KubeUrl };
        var tables = new TableServiceClient(host.StorageConnectionString);
        var ledger = tables.GetTableClient("FloorLedger");
        var runs = tables.GetTableClient("FloorRuns");
        await ledger.CreateIfNotExistsAsync(cancellationToken);
        await runs.CreateIfNotExistsAsync(cancellationToken);
        WrittenRows? written = null;
        var index = 0;
        var meter = new CpuMeter(host.Azurite);
        var cpu = (Product: default(CpuReading), Floor: default(CpuReading), DurableFloor: default(CpuReading));
        async Task<(TimeSpan Product, TimeSpan Floor, TimeSpan DurableFloor)> InTurnAsync()
        {
            var (productElapsed, productCpu) = await ProductOnceAsync(host, meter, isolated, index, cancellationToken);
            written ??= await WrittenRowsAsync(host, tables, cancellationToken);
            var (floorElapsed, floorCpu) = await FloorOnceAsync(kube, meter, ledger, written, PodsEach(alerts) + index, runs: null, cancellationToken);
            var (durableFloorElapsed, durableFloorCpu) = await FloorOnceAsync(kube, meter, ledger, written, (2 * PodsEach(alerts)) + index, runs, cancellationToken);
            index++;
            cpu = (cpu.Product + productCpu, cpu.Floor + floorCpu, cpu.DurableFloor + durableFloorCpu);
            return (productElapsed, floorElapsed, durableFloorElapsed);
        }

        // The first alert the host serves pays for compiling the product's path: what a worker just started pays.
        var (firstAlert, _) = await ProductOnceAsync(host, meter, isolated, index++, cancellationToken);

        var (rounds, compiled) = await WarmUp.UntilCompiledAsync(
            async _ =>
            {
                for (var turn = 0; turn < WarmUpRound; turn++)
                {
                    await InTurnAsync();
                }
            },
            SettledCompilations,
            MaxWarmUpRounds);

        isolated.ForgetPhases();
        cpu = default;
        for (var measured = 0; measured < alerts; measured++)
        {
            var (productElapsed, floorElapsed, durableFloorElapsed) = await InTurnAsync();
            product.Add(productElapsed.TotalMilliseconds);
            floor.Add(floorElapsed.TotalMilliseconds);
            durableFloor.Add(durableFloorElapsed.TotalMilliseconds);
        }

        var podRead = await PodReadP50Async(kube, cancellationToken);
        var (admission, toIsolate, kubernetes, recordWrite) = isolated.MedianPhases();
        var figures = new LatencyFigures(
            alerts,
            Percentile.Of(product, 50), Percentile.Of(product, 95), Percentile.Of(product, 99),
            Percentile.Of(floor, 50), Percentile.Of(floor, 95), Percentile.Of(floor, 99),
            Math.Round(Percentile.Of(product, 50) / Percentile.Of(floor, 50), 2),
            admission, toIsolate, kubernetes, recordWrite,
            Math.Round(firstAlert.TotalMilliseconds, 1),
            Percentile.Of(durableFloor, 50),
            Math.Round(Percentile.Of(product, 50) / Percentile.Of(durableFloor, 50), 2),
            CpuFigures.PerAlert(cpu.Product, alerts, meter.SeesAzurite),
            CpuFigures.PerAlert(cpu.Floor, alerts, meter.SeesAzurite),
            CpuFigures.PerAlert(cpu.DurableFloor, alerts, meter.SeesAzurite),
            host.OneWay.TotalMilliseconds,
            podRead);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency: {alerts} alerts, one at a time on distinct pods, POST /api/alerts → NetworkPolicy on the cluster and ledger Isolated"));
        output.WriteLine(host.OneWay == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"  storage and Kubernetes on loopback; a bare pod read p50 {podRead:F2} ms")
            : string.Create(CultureInfo.InvariantCulture, $"  every storage and Kubernetes request and answer held {host.OneWay.TotalMilliseconds:F0} ms each way by relays; a bare pod read p50 {podRead:F2} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  first alert on the host just started: {figures.FirstAlertMs:F1} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after a warm-up of {rounds} rounds of {WarmUpRound} alerts and floor turns ({compiled} methods compiled in the last)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  product p50 {figures.P50Ms:F1} ms, p95 {figures.P95Ms:F1} ms, p99 {figures.P99Ms:F1} ms (target p99 < 250 ms)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  floor   p50 {figures.FloorP50Ms:F1} ms, p95 {figures.FloorP95Ms:F1} ms, p99 {figures.FloorP99Ms:F1} ms (GET pod, POST policy, PATCH pod, LIST other policies; record and audit row in one transaction)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio at p50: {figures.RatioP50:F2} (target ≤ 1.5)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  durable floor p50 {figures.DurableFloorP50Ms:F1} ms (the floor, storing the product's run row first); ratio at p50 {figures.RatioDurableFloorP50:F2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CPU per alert from its start to its end, mean (ms; this process: host, KubeSim and the load; Azurite: its main thread, which serves every table request):"));
        foreach (var (what, spent) in new[] { ("product", figures.ProductCpu), ("floor", figures.FloorCpu), ("durable floor", figures.DurableFloorCpu) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {what,-13} this process {spent.HostMs:F2}, Azurite {(spent.AzuriteMs is { } azurite ? azurite.ToString("F2", CultureInfo.InvariantCulture) : "(not readable here)")}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  product spans, p50: admission (event stored and run started) {admission:F2} ms, its start to the isolate activity's {toIsolate:F2} ms, isolate activity to its record write (Kubernetes calls) {kubernetes:F2} ms, record write {recordWrite:F2} ms"));
        output.WriteLine("  product timeline, p50 (start after the alert's POST began + length, ms; every span and request of most alerts, up to the record write):");
        foreach (var (span, start, length) in isolated.MedianTimeline())
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {start,6:F2} +{length,5:F2}  {span}"));
        }

        return figures;
    }

    private static async Task<(TimeSpan Elapsed, CpuReading Cpu)> ProductOnceAsync(BenchHost host, CpuMeter meter, IsolatedRecords isolated, int index, CancellationToken cancellationToken)
    {
        var pod = BenchHost.Pod(index);
        var id = RunInstanceId.ForTarget(BenchHost.Cluster, BenchHost.Namespace, pod);
        var written = isolated.Expect(id);
        var cpuBefore = meter.Read();
        var started = Stopwatch.GetTimestamp();
        using var posted = await host.Http.PostAsync(
            new Uri("api/alerts", UriKind.Relative), new StringContent(BenchHost.Alert($"latency-{index}", index), Encoding.UTF8, "application/json"), cancellationToken);
        posted.EnsureSuccessStatusCode();
        var elapsed = Stopwatch.GetElapsedTime(started, await written.WaitAsync(Deadline, cancellationToken));

        // Read once the wait returns, so it holds a little of what the run does next; the floors' reads hold nothing more.
        var cpu = meter.Read() - cpuBefore;

        // Not timed: the cluster and the ledger say what the span said.
        if (await host.Kube.Store.GetAsync(ResourceCatalog.NetworkPolicies, BenchHost.Namespace, $"containment-quarantine-{pod}", cancellationToken) is null
            || (await host.Services<IsolationLedger>().GetAsync(id, cancellationToken))?.Status != IsolationStatus.Isolated)
        {
            throw new InvalidOperationException($"{pod}: the Isolated record was written but the policy or the record is missing");
        }

        // Each alert is measured alone: the run finishes its other steps (notify, approval request) before the next alert.
        await SettledAsync(host, id, cancellationToken);
        return (elapsed, cpu);
    }

    /// <summary>What one request to the API server costs here, through the relay when there is one: a bare pod read, p50 of a few.</summary>
    private static async Task<double> PodReadP50Async(HttpClient kube, CancellationToken cancellationToken)
    {
        var path = new Uri($"api/v1/namespaces/{BenchHost.Namespace}/pods/{BenchHost.Pod(0)}", UriKind.Relative);
        var reads = new List<double>(PodReads);
        for (var read = 0; read < PodReads; read++)
        {
            var started = Stopwatch.GetTimestamp();
            using var answer = await kube.GetAsync(path, cancellationToken);
            answer.EnsureSuccessStatusCode();
            await answer.Content.ReadAsByteArrayAsync(cancellationToken);
            reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Percentile.Of(reads, 50);
    }

    /// <summary>Waits until the run waits on its approval (or has ended) and nothing is being driven.</summary>
    private static async Task SettledAsync(BenchHost host, string id, CancellationToken cancellationToken)
    {
        var runtime = host.Services<EmbeddedRuntime>();
        await runtime.WhenIdleAsync(cancellationToken).WaitAsync(Deadline, cancellationToken);
        if ((await runtime.GetStatusAsync(id, cancellationToken))?.Phase is not (RunPhase.Waiting or RunPhase.Finished))
        {
            throw new InvalidOperationException($"run {id} is idle but neither waits on its approval nor has ended");
        }
    }

    private static int PodsEach(int alerts) => 1 + alerts + (WarmUpRound * MaxWarmUpRounds);

    /// <summary>
    /// The product's stored isolation record and its audit entry for the first pod, as JSON, and that pod's run row as
    /// stored (read once the run waits, so a little larger than at its insert): what the floors write.
    /// </summary>
    private static async Task<WrittenRows> WrittenRowsAsync(BenchHost host, TableServiceClient tables, CancellationToken cancellationToken)
    {
        var id = RunInstanceId.ForTarget(BenchHost.Cluster, BenchHost.Namespace, BenchHost.Pod(0));
        var record = await host.Services<IsolationLedger>().GetAsync(id, cancellationToken);
        var entry = (await host.Services<AuditTrail>().ListAsync(AuditSubject.Isolation, id, cancellationToken)).First(item => item.Action == AuditAction.Isolated);
        var runs = tables.GetTableClient(host.Services<IOptions<EmbeddedRuntimeOptions>>().Value.TablePrefix + "Runs");
        var run = await runs.GetEntityAsync<TableEntity>(TableKey.Encode(id), RunStore.StateRow, cancellationToken: cancellationToken);
        return new WrittenRows(JsonSerializer.Serialize(record, ContainmentJson.Options), JsonSerializer.Serialize(entry, ContainmentJson.Options), run.Value);
    }

    /// <param name="runs">Where the durable floor stores its run row before its first Kubernetes call; null for the floor.</param>
    private static async Task<(TimeSpan Elapsed, CpuReading Cpu)> FloorOnceAsync(HttpClient kube, CpuMeter meter, TableClient ledger, WrittenRows written, int index, TableClient? runs, CancellationToken cancellationToken)
    {
        var pod = BenchHost.Pod(index);
        var podPath = new Uri($"api/v1/namespaces/{BenchHost.Namespace}/pods/{pod}", UriKind.Relative);
        var policies = new Uri($"apis/networking.k8s.io/v1/namespaces/{BenchHost.Namespace}/networkpolicies", UriKind.Relative);

        // The list the product makes beside its fence: policies it does not manage (its own are labelled). The floor, a
        // sequential client, makes it after its writes.
        var others = new Uri($"{policies}?labelSelector={Uri.EscapeDataString(QuarantineNames.ManagedByLabel + "!=" + QuarantineNames.ManagedByValue)}", UriKind.Relative);
        var cpuBefore = meter.Read();
        var clock = Stopwatch.StartNew();
        if (runs is not null)
        {
            await runs.AddEntityAsync(written.RunRow(pod), cancellationToken);
        }

        var read = (await kube.GetFromJsonAsync<JsonObject>(podPath, cancellationToken))!;
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
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = read["metadata"]!["resourceVersion"]!.DeepClone(),
                ["labels"] = new JsonObject { ["app"] = null, ["tier"] = null, ["containment.io/quarantine"] = $"q-{index}" },
                ["annotations"] = new JsonObject
                {
                    ["containment.io/saved-labels"] = read["metadata"]!["labels"]!.ToJsonString(),
                    [QuarantineNames.RunAnnotation] = Containment.Isolation.RunStamp.Of(DateTimeOffset.UtcNow),
                },
            },
        };
        using var patched = await kube.PatchAsync(podPath, new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"), cancellationToken);
        patched.EnsureSuccessStatusCode();
        using var listed = await kube.GetAsync(others, cancellationToken);
        listed.EnsureSuccessStatusCode();
        await listed.Content.ReadAsStringAsync(cancellationToken);
        await ledger.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, new TableEntity(pod, "isolation~" + pod) { ["Status"] = "Isolated", ["Cluster"] = BenchHost.Cluster, ["Namespace"] = BenchHost.Namespace, ["Record"] = written.Record }),
                new(TableTransactionActionType.Add, new TableEntity(pod, "audit~" + pod) { ["Action"] = "Isolated", ["Entry"] = written.Entry }),
            ],
            cancellationToken);
        var elapsed = clock.Elapsed;
        var cpu = meter.Read() - cpuBefore;

        // Not timed: the durable floor's policy goes again, so the namespace's policies (which the list reads through)
        // grow as they did before this floor was measured.
        if (runs is not null)
        {
            using var deleted = await kube.DeleteAsync(new Uri($"{policies}/floor-{pod}", UriKind.Relative), cancellationToken);
            deleted.EnsureSuccessStatusCode();
        }

        return (elapsed, cpu);
    }

    /// <summary>What the product stored for its first alert, for the floors to write alike.</summary>
    private sealed record WrittenRows(string Record, string Entry, TableEntity Run)
    {
        /// <summary>The run row's properties under the partition of <paramref name="pod"/>.</summary>
        public TableEntity RunRow(string pod)
        {
            var row = new TableEntity(pod, Run.RowKey);
            foreach (var (name, value) in Run.Where(property => property.Key is not (nameof(TableEntity.PartitionKey) or nameof(TableEntity.RowKey) or nameof(TableEntity.Timestamp) or "odata.etag")))
            {
                row[name] = value;
            }

            return row;
        }
    }
}
