using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Containment.Activities;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Local.Hosting;
using Containment.Playbooks;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Bench;

/// <summary>
/// The embedded runtime against Azurite with activities that do nothing: runs per second, and storage
/// operations per run, for a three-step playbook and for isolate → approve → release.
/// </summary>
internal static class RuntimeBenchmark
{
    private const string ThreeSteps = """
        [{ "id": "tell", "type": "notify", "channels": ["c"], "template": "isolated" },
         { "id": "mark", "type": "setEventStatus", "status": "processed" },
         { "id": "cordon", "type": "cordonNode" }]
        """;

    private const string IsolateApproveRelease = """
        [{ "id": "isolate", "type": "isolate" },
         { "id": "ask", "type": "approval", "message": "release?", "channels": ["c"], "timeout": "PT1H",
           "onApproved": [{ "id": "release", "type": "release" }] }]
        """;

    public static async Task<RuntimeFigures> RunAsync(string repositoryRoot, int runs, TextWriter output)
    {
        await using var azurite = await AzuriteServer.StartAsync(repositoryRoot);
        output.WriteLine($"runtime benchmark: {runs} runs per playbook, Azurite in memory, activities that do nothing, {Environment.ProcessorCount} cores");
        var three = await MeasureAsync(azurite.ConnectionString, Parse(ThreeSteps), runs, approve: false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"three steps (notify, setEventStatus, cordonNode): {three.RunsPerSecond:F1} runs/s, {three.OperationsPerRun:F1} storage operations per run ({three.ByKind})"));
        var approval = await MeasureAsync(azurite.ConnectionString, Parse(IsolateApproveRelease), runs, approve: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"isolate → approve → release: {approval.RunsPerSecond:F1} runs/s, {approval.OperationsPerRun:F1} storage operations per run (runtime only; {approval.ByKind})"));
        return new RuntimeFigures(runs, Math.Round(three.RunsPerSecond, 1), three.OperationsPerRun, Math.Round(approval.RunsPerSecond, 1), approval.OperationsPerRun);
    }

    private static async Task<(double RunsPerSecond, double OperationsPerRun, string ByKind)> MeasureAsync(string connection, Playbook playbook, int runs, bool approve)
    {
        var counter = new StorageOperationCounter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Containment:Runtime:TablePrefix"] = "B" + Guid.NewGuid().ToString("N")[..10],
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton(_ =>
        {
            var options = new TableClientOptions();
            options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
            return new TableServiceClient(connection, options);
        });
        foreach (var name in new[] { ActivityNames.IsolatePod, ActivityNames.ReleasePod, ActivityNames.RequestApproval, ActivityNames.Notify, ActivityNames.SetEventStatus, ActivityNames.CordonNode })
        {
            services.AddSingleton<IRunActivity>(new NoOpActivity(name));
        }

        services.AddEmbeddedPlaybookRuntime();
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<EmbeddedRuntime>();
        var ids = Enumerable.Range(0, runs).Select(index => RunInstanceId.ForTarget("bench", "ns", $"pod-{index}")).ToList();

        // Warm the table and the code paths, then count from zero.
        await runtime.GetStatusAsync("warm~up~run", CancellationToken.None);
        var before = counter.Count;
        var beforeByKind = counter.ByKind;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, cancellationToken) =>
            await runtime.StartAsync(id, playbook, Alert(id), cancellationToken));
        await runtime.WhenIdleAsync(CancellationToken.None);
        if (approve)
        {
            var decision = JsonSerializer.SerializeToElement(new ApprovalDecision(ApprovalVerdict.Approved, "bench", DateTimeOffset.UtcNow), ContainmentJson.Options);
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, cancellationToken) =>
                await runtime.RaiseEventAsync(id, "approval-ask-1", decision, cancellationToken));
            await runtime.WhenIdleAsync(CancellationToken.None);
        }

        clock.Stop();
        var operations = counter.Count - before;
        var byKind = string.Join(", ", counter.ByKind
            .Select(kind => (kind.Key, PerRun: (kind.Value - beforeByKind.GetValueOrDefault(kind.Key)) / (double)runs))
            .Where(kind => kind.PerRun > 0)
            .OrderByDescending(kind => kind.PerRun)
            .Select(kind => string.Create(CultureInfo.InvariantCulture, $"{kind.Key} {kind.PerRun:F1}")));
        foreach (var id in ids)
        {
            if ((await runtime.GetStatusAsync(id, CancellationToken.None))?.Phase != RunPhase.Finished)
            {
                throw new InvalidOperationException($"run {id} did not finish");
            }
        }

        return (runs / clock.Elapsed.TotalSeconds, operations / (double)runs, byKind);
    }

    private static Playbook Parse(string steps) =>
        PlaybookParser.Parse("bench.json", $$"""{ "name": "bench", "trigger": {}, "steps": {{steps}} }""", PlaybookValidationContext.None).Playbook!;

    private static Alert Alert(string id) => new()
    {
        Id = id,
        Source = "bench",
        Category = AlertCategory.ReverseShell,
        Severity = Severity.High,
        Time = DateTimeOffset.UtcNow,
        Target = new AlertTarget { Cluster = "bench", Namespace = "ns", Pod = id },
    };
}
