using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Api;

namespace Containment.Bench;

/// <summary>The local host as production runs it: <c>containment serve</c> in its own process, so its memory is its own.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;

    private HostProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseAddress };
        Http.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, BenchHost.ApiKey);
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    /// <summary>Resident memory of the host process, in MiB (VmRSS).</summary>
    public double ResidentMegabytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
    }

    /// <param name="cli">The built CLI, <c>.artifacts/cli/containment.dll</c>.</param>
    public static async Task<HostProcess> StartAsync(string cli, IReadOnlyDictionary<string, string?> settings, int port, string folder, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, "local.settings.json");
        var values = settings.Where(setting => setting.Value is not null).ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }), cancellationToken);
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { cli, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--settings", file }, RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("the host did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new HostProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await host.StorageOperationsAsync(cancellationToken);
                return host;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    /// <summary>The storage operations the host has made since it started, as its health answer reports.</summary>
    public async Task<long> StorageOperationsAsync(CancellationToken cancellationToken) =>
        (long)(await Http.GetFromJsonAsync<JsonObject>(new Uri("api/health", UriKind.Relative), cancellationToken))!["storageOperations"]!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
