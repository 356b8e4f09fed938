using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Containment.Local.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Containment.Bench;

/// <summary>The benchmarks' chat: a loopback webhook that keeps the approval link sent for each pod.</summary>
internal sealed partial class ChatSink : IAsyncDisposable
{
    private readonly WebApplication app;

    private ChatSink(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The newest approval link per bench pod.</summary>
    public ConcurrentDictionary<string, Uri> ApprovalLinks { get; } = new(StringComparer.Ordinal);

    public static async Task<ChatSink> StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        var sink = new ChatSink(app, new Uri($"http://127.0.0.1:{port}/hook"));
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            sink.Record(await reader.ReadToEndAsync());
            return Results.Ok();
        });
        await app.StartAsync(cancellationToken);
        return sink;
    }

    /// <summary>The pod's approval link, once the chat has it.</summary>
    public async Task<Uri> LinkAsync(string pod, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        Uri? link;
        while (!ApprovalLinks.TryGetValue(pod, out link))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no approval link for {pod}");
            }

            await Task.Delay(5, cancellationToken);
        }

        return link;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Record(string message)
    {
        if (ApprovalLink().Match(message) is { Success: true } link && PodName().Match(message) is { Success: true } pod)
        {
            ApprovalLinks[pod.Value] = new Uri(link.Value);
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/api/approvals/[A-Za-z0-9_\-.~%]+")]
    private static partial Regex ApprovalLink();

    [GeneratedRegex(@"bench-\d{5}")]
    private static partial Regex PodName();
}
