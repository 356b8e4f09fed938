using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Containment.Local.Hosting;
using Containment.Tests.Support;

namespace Containment.Tests.Notifications;

/// <summary>
/// A real maildev (from the repository's node_modules) on free loopback ports for SMTP and its web API, with no
/// outgoing relay. Started once for the email tests and killed after them.
/// </summary>
public sealed class MaildevFixture : IAsyncLifetime
{
    private PortBoundProcess? maildev;

    public int SmtpPort => Started.Ports[0];

    public HttpClient Api { get; } = new();

    private PortBoundProcess Started => maildev ?? throw new InvalidOperationException("maildev has not started");

    public async Task InitializeAsync()
    {
        var executable = RepositoryRoot.Combine("node_modules", ".bin", "maildev");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run ./test.sh (or npm ci) at the repository root first");
        }

        // maildev prints its banner once both its servers listen.
        maildev = await PortBoundProcess.StartAsync(
            "maildev",
            executable,
            portCount: 2,
            ports => ["--smtp", Text(ports[0]), "--web", Text(ports[1]), "--ip", "127.0.0.1", "--web-ip", "127.0.0.1"],
            readyLines: ["Press Ctrl+C to stop"]);
        Api.BaseAddress = new Uri($"http://127.0.0.1:{maildev.Ports[1]}/");
    }

    /// <summary>Every stored email, as maildev's API returns it (<c>GET /api/email</c> in maildev 3).</summary>
    public async Task<List<JsonElement>> EmailsAsync() =>
        await Api.GetFromJsonAsync<List<JsonElement>>(new Uri("api/email", UriKind.Relative)) ?? [];

    public async Task DisposeAsync()
    {
        if (maildev is not null)
        {
            await maildev.DisposeAsync();
        }

        Api.Dispose();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
