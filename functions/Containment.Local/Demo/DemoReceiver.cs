using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Containment.Local.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Containment.Local.Demo;

/// <summary>The demo's chat: a loopback webhook that keeps every message the channels send.</summary>
internal sealed class DemoReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private DemoReceiver(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<string> Messages { get; } = new();

    public static async Task<DemoReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new DemoReceiver(app, new Uri($"http://127.0.0.1:{port}/hook"));
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            receiver.Messages.Enqueue(await reader.ReadToEndAsync());
            return Results.Ok();
        });
        await app.StartAsync(cancellationToken);
        return receiver;
    }

    /// <summary>The title of a Teams card, Slack message or webhook payload, for printing.</summary>
    public static string Title(string message)
    {
        var json = JsonNode.Parse(message);
        return (string?)json?["attachments"]?[0]?["content"]?["body"]?[0]?["inlines"]?[0]?["text"]
            ?? (string?)json?["text"]
            ?? (string?)json?["title"]
            ?? message[..Math.Min(80, message.Length)];
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
