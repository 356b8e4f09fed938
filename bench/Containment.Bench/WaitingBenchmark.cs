using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Containment.Local.Hosting;
using Containment.Runs;
using KubeSim;

namespace Containment.Bench;

/// <summary>
/// Many runs waiting on approval in a host of their own (<c>containment serve</c>): its resident memory,
/// and its storage operations per minute while idle, with no runs and with all of them waiting.
/// </summary>
internal static class WaitingBenchmark
{
    public static async Task<WaitingFigures> RunAsync(string repositoryRoot, int runs, TimeSpan idle, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("bench-waiting-");
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(repositoryRoot, cancellationToken);
            await using var kube = await KubeSimServer.StartAsync(new KubeSimOptions(), cancellationToken);
            var kubeconfig = Path.Combine(folder.FullName, "kubeconfig");
            await kube.WriteKubeconfigAsync(kubeconfig, cancellationToken);
            await using var chat = await ChatSink.StartAsync(cancellationToken);
            var port = FreePort.Next();
            var settings = BenchHost.Settings(repositoryRoot, azurite.ConnectionString, kubeconfig, chat.Url, new Uri($"http://127.0.0.1:{port}/"));
            var cli = Path.Combine(repositoryRoot, ".artifacts", "cli", "containment.dll");
            await using var host = await HostProcess.StartAsync(cli, settings, port, folder.FullName, cancellationToken);

            var emptyRate = await IdleRateAsync(host, idle, cancellationToken);
            var emptyMegabytes = host.ResidentMegabytes;

            // confirm-suspicious-activity asks before it acts: each alert leaves a run waiting on approval.
            await Parallel.ForEachAsync(Enumerable.Range(0, runs), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (index, token) =>
            {
                using var response = await host.Http.PostAsync(
                    new Uri("api/alerts", UriKind.Relative), new StringContent(BenchHost.Alert($"waiting-{index}", index, "abnormal-process"), Encoding.UTF8, "application/json"), token);
                response.EnsureSuccessStatusCode();
            });
            await AllWaitingAsync(host, chat, runs, cancellationToken);
            var fullRate = await IdleRateAsync(host, idle, cancellationToken);
            var megabytes = host.ResidentMegabytes;

            var figures = new WaitingFigures(runs, Math.Round(megabytes, 1), Math.Round(fullRate, 1), Math.Round(emptyRate, 1));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"waiting: {runs} runs waiting on approval in a host process of their own (confirm-suspicious-activity)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  host resident memory: {megabytes:F1} MB with the runs waiting, {emptyMegabytes:F1} MB before (target < 500 MB)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  storage operations per minute while idle: {fullRate:F1} with {runs} runs waiting, {emptyRate:F1} with none (measured over {idle.TotalSeconds:F0} s each)"));
            return figures;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The health call's own count is read before and after; it makes no storage operation itself once the tables exist.
    private static async Task<double> IdleRateAsync(HostProcess host, TimeSpan idle, CancellationToken cancellationToken)
    {
        var before = await host.StorageOperationsAsync(cancellationToken);
        await Task.Delay(idle, cancellationToken);
        var after = await host.StorageOperationsAsync(cancellationToken);
        return (after - before) / idle.TotalMinutes;
    }

    private static async Task AllWaitingAsync(HostProcess host, ChatSink chat, int runs, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (chat.ApprovalLinks.Count < runs)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {chat.ApprovalLinks.Count} of {runs} approval requests arrived");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        // The link goes out just before the run's state says it waits; the last runs are checked until they do.
        for (var index = runs - 1; index >= Math.Max(0, runs - 20); index--)
        {
            var id = RunInstanceId.ForTarget(BenchHost.Cluster, BenchHost.Namespace, BenchHost.Pod(index));
            while ((string?)(await host.Http.GetFromJsonAsync<JsonObject>(new Uri($"api/runs/{Uri.EscapeDataString(id)}", UriKind.Relative), cancellationToken))!["phase"] != "waiting")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }
}
