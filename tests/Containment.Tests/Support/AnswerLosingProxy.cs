using System.Net;
using Containment.Local.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Containment.Tests.Support;

/// <summary>
/// An HTTP proxy in front of Azurite that can lose the answer to one write: it forwards the request, lets storage do
/// the work, then drops the connection instead of answering, as a network failure after the server acted does. The
/// client's SDK sees no answer and tries again, and meets its own write. It can also refuse writes to a table, as
/// storage under too much load does (503 ServerBusy, nothing done).
/// </summary>
public sealed class AnswerLosingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Content-Length", "Keep-Alive" };

    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly Lock gate = new();
    private int writes;
    private int loseAt;
    private string? lost;
    private string? refusedTable;
    private int toRefuse;
    private int refused;

    private AnswerLosingProxy(WebApplication app, int azuritePort, int port)
    {
        this.app = app;
        Port = port;
        upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{azuritePort}"),
        };
    }

    public int Port { get; }

    /// <summary>The connection string of the Azurite behind this proxy.</summary>
    public string AzuriteConnectionString => AzuriteServer.ConnectionStringOn(Port);

    /// <summary>Writes forwarded so far (every method but GET and HEAD).</summary>
    public int Writes => Volatile.Read(ref writes);

    /// <summary>The write whose answer was lost (method and path), once it has been.</summary>
    public string? Lost
    {
        get
        {
            lock (gate)
            {
                return lost;
            }
        }
    }

    /// <summary>Writes refused so far.</summary>
    public int Refused => Volatile.Read(ref refused);

    /// <summary>Every request that was not a read, in the order received, with how it was answered: for a test's failure message.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> WriteLog { get; } = new();

    public static async Task<AnswerLosingProxy> StartAsync(int azuritePort)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var proxy = new AnswerLosingProxy(app, azuritePort, port);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        return proxy;
    }

    /// <summary>Loses the answer to the <paramref name="number"/>th write from now (1: the next one).</summary>
    public void LoseWrite(int number)
    {
        lock (gate)
        {
            lost = null;
            loseAt = Writes + number;
        }
    }

    /// <summary>Refuses the next <paramref name="count"/> writes to the table whose name ends with <paramref name="tableNameEnd"/>.</summary>
    public void RefuseWrites(string tableNameEnd, int count)
    {
        lock (gate)
        {
            refusedTable = tableNameEnd;
            toRefuse = count;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        upstream.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var incoming = context.Request;
        if (!HttpMethods.IsGet(incoming.Method) && !HttpMethods.IsHead(incoming.Method) && RefusesThisWrite(incoming.Path))
        {
            WriteLog.Enqueue($"{incoming.Method} {incoming.Path} refused");

            // Read whole before the answer, as storage does.
            await incoming.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers["x-ms-error-code"] = "ServerBusy";
            await context.Response.WriteAsync("""{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US","value":"The server is busy."}}}""", context.RequestAborted);
            return;
        }

        // The target as sent, not as decoded: the request is signed over its encoded path.
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(target, UriKind.Relative));
        using var body = new MemoryStream();
        await incoming.Body.CopyToAsync(body, context.RequestAborted);
        request.Content = new ByteArrayContent(body.ToArray());
        foreach (var (name, values) in incoming.Headers.Where(header => !NotForwarded.Contains(header.Key)))
        {
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await upstream.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.RequestAborted);
        if (!HttpMethods.IsGet(incoming.Method) && !HttpMethods.IsHead(incoming.Method))
        {
            WriteLog.Enqueue($"{incoming.Method} {incoming.Path} {(int)response.StatusCode}");
        }

        if (!HttpMethods.IsGet(incoming.Method) && !HttpMethods.IsHead(incoming.Method) && LosesThisWrite($"{incoming.Method} {incoming.Path}"))
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(header => !NotForwarded.Contains(header.Key)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private bool RefusesThisWrite(PathString path)
    {
        lock (gate)
        {
            // The path names the table: /devstoreaccount1/ContainmentEvents, or …Events(PartitionKey='…',RowKey='…') for one row.
            var table = path.Value?.Split('/')[^1].Split('(')[0];
            if (toRefuse == 0 || refusedTable is null || table?.EndsWith(refusedTable, StringComparison.Ordinal) != true)
            {
                return false;
            }

            toRefuse--;
            refused++;
            return true;
        }
    }

    private bool LosesThisWrite(string write)
    {
        lock (gate)
        {
            if (++writes != loseAt)
            {
                return false;
            }

            lost = write;
            return true;
        }
    }
}
