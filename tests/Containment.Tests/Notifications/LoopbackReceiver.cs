using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Containment.Tests.Notifications;

/// <summary>A webhook endpoint on 127.0.0.1 and a free port: records each request and answers from a script (200 when the script is empty).</summary>
internal sealed class LoopbackReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> script = new();
    private readonly Task loop;

    public LoopbackReceiver()
    {
        var port = FreePort();
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

    public void Answer(int status, string? retryAfter = null) => script.Enqueue((status, retryAfter));

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        listener.Close();
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

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(key => key is not null)
                .ToDictionary(key => key!, key => context.Request.Headers[key] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body.ToArray(), Clock()));

            var (status, retryAfter) = script.TryDequeue(out var next) ? next : (200, null);
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers["Retry-After"] = retryAfter;
            }

            context.Response.Close();
        }
    }
}
