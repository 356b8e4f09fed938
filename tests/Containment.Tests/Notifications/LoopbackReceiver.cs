using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Containment.Local.Hosting;

namespace Containment.Tests.Notifications;

/// <summary>A webhook endpoint on 127.0.0.1 and a free port: records each request and answers from a script (200 when the script is empty).</summary>
internal sealed class LoopbackReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> script = new();
    private readonly Task loop;
    private readonly SemaphoreSlim arrived = new(0);

    public LoopbackReceiver()
    {
        var port = FreePort.Next();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();

        // The query stands for the secret real webhook URLs carry.
        Url = new Uri($"http://127.0.0.1:{port}/hooks/soc?sig=query-secret-123");
        loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    /// <summary>Stamps received requests; tests on fake time point it at their clock.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>
    /// The first request received that matches, waiting up to <paramref name="within"/> for it; null when none came.
    /// For senders that do not wait for the answer before saying they are done (an exporter's flush).
    /// </summary>
    public async Task<ReceivedRequest?> WaitForAsync(Func<ReceivedRequest, bool> match, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            if (Requests.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            try
            {
                await arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return Requests.FirstOrDefault(match);
            }
        }
    }

    public void Answer(int status, string? retryAfter = null) => script.Enqueue((status, retryAfter));

    public void Dispose()
    {
        listener.Close();
        arrived.Dispose();
        _ = loop.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The sender hung up mid-request: the next request is served all the same.
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var headers = context.Request.Headers.AllKeys.Where(key => key is not null)
            .ToDictionary(key => key!, key => context.Request.Headers[key] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body.ToArray(), Clock()));
        arrived.Release();

        var (status, retryAfter) = script.TryDequeue(out var next) ? next : (200, null);
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers["Retry-After"] = retryAfter;
        }

        context.Response.Close();
    }
}
