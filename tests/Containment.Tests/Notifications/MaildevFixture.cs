using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Containment.Tests.Support;

namespace Containment.Tests.Notifications;

/// <summary>
/// A real maildev (from the repository's node_modules) on free loopback ports for SMTP and its web API, with no
/// outgoing relay. Started once for the email tests and killed after them.
/// </summary>
public sealed class MaildevFixture : IAsyncLifetime
{
    private Process? process;

    public int SmtpPort { get; } = LoopbackReceiver.FreePort();

    public int WebPort { get; } = LoopbackReceiver.FreePort();

    public HttpClient Api { get; } = new();

    public async Task InitializeAsync()
    {
        var executable = RepositoryRoot.Combine("node_modules", ".bin", "maildev");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run ./test.sh (or npm ci) at the repository root first");
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--smtp", SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--web", WebPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("maildev did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Api.BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/");

        // Waiting on an external process to listen; the product's own time is never slept on.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var response = await Api.GetAsync(new Uri("api/email", UriKind.Relative), deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"maildev exited with {process.ExitCode}");
            }

            await Task.Delay(200, deadline.Token);
        }
    }

    /// <summary>Every stored email, as maildev's API returns it (<c>GET /api/email</c> in maildev 3).</summary>
    public async Task<List<JsonElement>> EmailsAsync() =>
        await Api.GetFromJsonAsync<List<JsonElement>>(new Uri("api/email", UriKind.Relative)) ?? [];

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process?.Dispose();
        Api.Dispose();
        return Task.CompletedTask;
    }
}
