using System.CommandLine;
using System.Text.Json;

namespace Containment.Bench;

/// <summary><c>containment bench [latency|storm|waiting|economy|runtime]... [--json FILE]</c>; no name runs the first four.</summary>
internal static class BenchCommand
{
    private static readonly string[] Defaults = ["latency", "storm", "waiting", "economy"];
    private static readonly string[] Known = [.. Defaults, "runtime", "soak"];

    public static RootCommand Create(string repositoryRoot)
    {
        var names = new Argument<string[]>("benchmark") { Description = $"Which to run: {string.Join(", ", Known)}.", Arity = ArgumentArity.ZeroOrMore };
        names.AcceptOnlyFromAmong(Known);
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var alerts = new Option<int>("--alerts") { Description = "Latency: alerts on distinct pods.", DefaultValueFactory = _ => 300 };
        var oneWay = new Option<int>("--one-way-ms")
        {
            Description = "Latency and storm: milliseconds relays hold every storage and Kubernetes request and answer, each way (a round trip costs twice this), as between machines; 0 for plain loopback.",
            DefaultValueFactory = _ => 0,
        };
        oneWay.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 1000)
            {
                result.AddError("--one-way-ms must be from 0 to 1000");
            }
        });
        var stormAlerts = new Option<int>("--storm-alerts") { Description = "Storm: distinct alerts, each delivered twice.", DefaultValueFactory = _ => 20_000 };
        var stormPods = new Option<int>("--storm-pods") { Description = "Storm: pods the alerts are spread over.", DefaultValueFactory = _ => 500 };
        var stormCold = new Option<bool>("--storm-cold") { Description = "Storm: no warm-up; the storm meets a host just started." };
        var waitingRuns = new Option<int>("--waiting-runs") { Description = "Waiting: runs left waiting on approval.", DefaultValueFactory = _ => 10_000 };
        var idle = new Option<TimeSpan>("--idle") { Description = "Waiting: how long to count idle storage operations.", DefaultValueFactory = _ => TimeSpan.FromMinutes(1) };
        var runs = new Option<int>("--runs") { Description = "Economy and runtime: runs to average over.", DefaultValueFactory = _ => 50 };
        var soakRuns = new Option<int>("--soak-runs") { Description = "Soak: isolate → approve → release runs.", DefaultValueFactory = _ => 100 };
        var kills = new Option<int>("--kills") { Description = "Soak: how many times the host is killed.", DefaultValueFactory = _ => 12 };
        var seed = new Option<int>("--seed") { Description = "Soak: seed for the kill times.", DefaultValueFactory = _ => 8 };
        var command = new RootCommand("Benchmarks against the local host, Azurite and KubeSim on this machine.")
        {
            names, json, alerts, oneWay, stormAlerts, stormPods, stormCold, waitingRuns, idle, runs, soakRuns, kills, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(names) is { Length: > 0 } picked ? picked : Defaults;
            var output = parse.InvocationConfiguration.Output;
            var summary = new BenchSummary();
            output.WriteLine($"benchmarks on {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
            foreach (var name in chosen.Distinct())
            {
                summary = name switch
                {
                    "latency" => summary with { Latency = await WithHostAsync(LatencyBenchmark.PodsFor(parse.GetValue(alerts)), TimeSpan.FromMilliseconds(parse.GetValue(oneWay)), host => LatencyBenchmark.RunAsync(host, parse.GetValue(alerts), output, cancellationToken)) },
                    "storm" => summary with { Storm = await WithHostAsync(parse.GetValue(stormPods) + StormBenchmark.WarmUpPods, TimeSpan.FromMilliseconds(parse.GetValue(oneWay)), host => StormBenchmark.RunAsync(host, parse.GetValue(stormAlerts), parse.GetValue(stormPods), warmUp: !parse.GetValue(stormCold), output, cancellationToken)) },
                    "waiting" => summary with { Waiting = await WaitingBenchmark.RunAsync(repositoryRoot, parse.GetValue(waitingRuns), parse.GetValue(idle), output, cancellationToken) },
                    "economy" => summary with { Economy = await WithHostAsync(parse.GetValue(runs), TimeSpan.Zero, host => EconomyBenchmark.RunAsync(host, 0, parse.GetValue(runs), output, cancellationToken)) },
                    "soak" => summary with { Crash = await CrashSoak.RunAsync(repositoryRoot, parse.GetValue(soakRuns), parse.GetValue(kills), parse.GetValue(seed), output, cancellationToken) },
                    _ => summary with { Runtime = await RuntimeBenchmark.RunAsync(repositoryRoot, parse.GetValue(runs), output) },
                };
            }

            if (parse.GetValue(json) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(summary, SummaryJson), cancellationToken);
                output.WriteLine($"summary written to {file.FullName}");
            }

            return summary.Crash is { Held: false } ? 1 : 0;

            async Task<T> WithHostAsync<T>(int pods, TimeSpan oneWay, Func<BenchHost, Task<T>> benchmark)
            {
                await using var host = await BenchHost.StartAsync(repositoryRoot, pods, oneWay, cancellationToken);
                return await benchmark(host);
            }
        });
        return command;
    }

    private static readonly JsonSerializerOptions SummaryJson = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
