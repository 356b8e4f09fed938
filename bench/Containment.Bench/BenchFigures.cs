using System.Text.Json.Serialization;

namespace Containment.Bench;

/// <summary>The JSON summary <c>--json FILE</c> writes; a benchmark not run is left out.</summary>
internal sealed record BenchSummary(
    [property: JsonPropertyName("latency")] LatencyFigures? Latency = null,
    [property: JsonPropertyName("storm")] StormFigures? Storm = null,
    [property: JsonPropertyName("waiting")] WaitingFigures? Waiting = null,
    [property: JsonPropertyName("economy")] EconomyFigures? Economy = null,
    [property: JsonPropertyName("runtime")] RuntimeFigures? Runtime = null,
    [property: JsonPropertyName("crash")] CrashFigures? Crash = null);

internal sealed record LatencyFigures(
    [property: JsonPropertyName("alerts")] int Alerts,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p95_ms")] double P95Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("floor_p50_ms")] double FloorP50Ms,
    [property: JsonPropertyName("floor_p95_ms")] double FloorP95Ms,
    [property: JsonPropertyName("floor_p99_ms")] double FloorP99Ms,
    [property: JsonPropertyName("ratio_p50")] double RatioP50,
    [property: JsonPropertyName("admission_p50_ms")] double AdmissionP50Ms,
    [property: JsonPropertyName("to_isolate_p50_ms")] double ToIsolateP50Ms,
    [property: JsonPropertyName("kubernetes_p50_ms")] double KubernetesP50Ms,
    [property: JsonPropertyName("record_write_p50_ms")] double RecordWriteP50Ms,
    [property: JsonPropertyName("first_alert_ms")] double FirstAlertMs,
    [property: JsonPropertyName("durable_floor_p50_ms")] double DurableFloorP50Ms,
    [property: JsonPropertyName("ratio_durable_floor_p50")] double RatioDurableFloorP50,
    [property: JsonPropertyName("product_cpu")] CpuFigures ProductCpu,
    [property: JsonPropertyName("floor_cpu")] CpuFigures FloorCpu,
    [property: JsonPropertyName("durable_floor_cpu")] CpuFigures DurableFloorCpu,
    [property: JsonPropertyName("one_way_ms")] double OneWayMs,
    [property: JsonPropertyName("pod_read_p50_ms")] double PodReadP50Ms);

/// <summary>Mean CPU per alert, in milliseconds: this process's, and Azurite's main thread's (null where it cannot be read).</summary>
internal sealed record CpuFigures(
    [property: JsonPropertyName("host_ms")] double HostMs,
    [property: JsonPropertyName("azurite_ms")] double? AzuriteMs)
{
    public static CpuFigures PerAlert(CpuReading total, int alerts, bool seesAzurite) =>
        new(Math.Round(total.Host.TotalMilliseconds / alerts, 2), seesAzurite ? Math.Round(total.Azurite.TotalMilliseconds / alerts, 2) : null);
}

internal sealed record StormFigures(
    [property: JsonPropertyName("alerts")] int Alerts,
    [property: JsonPropertyName("deliveries")] int Deliveries,
    [property: JsonPropertyName("pods")] int Pods,
    [property: JsonPropertyName("alerts_per_second")] double AlertsPerSecond,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("isolations")] int Isolations,
    [property: JsonPropertyName("kubernetes_writes_per_pod")] double KubernetesWritesPerPod,
    [property: JsonPropertyName("seconds_to_all_isolated")] double SecondsToAllIsolated)
{
    [JsonPropertyName("events_processed")]
    public int EventsProcessed { get; init; }

    /// <summary>The median time to <c>GET /api/events</c> (its first page, of the default size) once the storm is over.</summary>
    [JsonPropertyName("events_page_ms")]
    public double EventsPageMs { get; init; }

    [JsonPropertyName("events_page_kb")]
    public double EventsPageKb { get; init; }

    /// <summary>One <c>GET /api/drift</c> once the storm's pods are isolated.</summary>
    [JsonPropertyName("drift_check_ms")]
    public double DriftCheckMs { get; init; }
}

internal sealed record WaitingFigures(
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("rss_mb")] double RssMb,
    [property: JsonPropertyName("idle_table_ops_per_minute")] double IdleTableOpsPerMinute,
    [property: JsonPropertyName("idle_table_ops_per_minute_empty")] double IdleTableOpsPerMinuteEmpty);

internal sealed record EconomyFigures(
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("table_ops_per_run")] double TableOpsPerRun,
    [property: JsonPropertyName("kubernetes_requests_per_run")] double KubernetesRequestsPerRun);

internal sealed record RuntimeFigures(
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("three_steps_runs_per_second")] double ThreeStepsRunsPerSecond,
    [property: JsonPropertyName("three_steps_ops_per_run")] double ThreeStepsOpsPerRun,
    [property: JsonPropertyName("approval_runs_per_second")] double ApprovalRunsPerSecond,
    [property: JsonPropertyName("approval_ops_per_run")] double ApprovalOpsPerRun);

internal sealed record CrashFigures(
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("kills")] int Kills,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("pods_restored")] int PodsRestored,
    [property: JsonPropertyName("policy_creates")] int PolicyCreates,
    [property: JsonPropertyName("max_patches_per_pod")] int MaxPatchesPerPod,
    [property: JsonPropertyName("ledgers_recorded")] int LedgersRecorded,
    [property: JsonPropertyName("events_processed")] int EventsProcessed,
    [property: JsonPropertyName("escapes")] int Escapes,
    [property: JsonPropertyName("nodes_restored")] int NodesRestored,
    [property: JsonPropertyName("held")] bool Held);
