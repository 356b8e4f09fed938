using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Containment.Tests.Notifications;

/// <summary>
/// An SMTP server on loopback that speaks RFC 5321 without extensions and answers each connection's recipients as the
/// test says: what maildev cannot do, a temporary refusal (a greylisting relay's 451) or a permanent one (550).
/// </summary>
internal sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, string> recipientReply;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task serving;
    private int connections;

    /// <param name="recipientReply">The reply to RCPT TO on the connection of that number, from 1.</param>
    public ScriptedSmtpServer(Func<int, string> recipientReply)
    {
        this.recipientReply = recipientReply;
        listener.Start();
        serving = ServeAsync(stopping.Token);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref connections);

    /// <summary>The messages taken (DATA), as sent.</summary>
    public ConcurrentQueue<string> Messages { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            _ = TalkAsync(client, Interlocked.Increment(ref connections), cancellationToken);
        }
    }

    private async Task TalkAsync(TcpClient client, int connection, CancellationToken cancellationToken)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 scripted.example ESMTP");
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 scripted.example");
                    break;
                case "MAIL" or "RSET" or "NOOP":
                    await writer.WriteLineAsync("250 2.0.0 Ok");
                    break;
                case "RCPT":
                    await writer.WriteLineAsync(recipientReply(connection));
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var message = new StringBuilder();
                    while (await reader.ReadLineAsync(cancellationToken) is { } data && data != ".")
                    {
                        message.AppendLine(data);
                    }

                    Messages.Enqueue(message.ToString());
                    await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Error: command not recognized");
                    break;
            }
        }
    }
}
