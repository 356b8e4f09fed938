using System.Net;
using System.Net.Sockets;
using Containment.Local.Hosting;

namespace Containment.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of a server, which a test can cut and restore on the same port: while cut, new
/// connections are refused and open ones are reset, as a client sees a storage outage.
/// </summary>
public sealed class CuttableRelay : IDisposable
{
    private readonly int target;
    private readonly Lock gate = new();
    private readonly List<Socket> open = [];
    private TcpListener? listener;
    private CancellationTokenSource? serving;

    public CuttableRelay(int target)
    {
        this.target = target;
        Port = FreePort.Next();
        Restore();
    }

    public int Port { get; }

    public void Restore()
    {
        lock (gate)
        {
            if (listener is not null)
            {
                return;
            }

            listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Start();
            serving = new CancellationTokenSource();
            _ = AcceptAsync(listener, serving.Token);
        }
    }

    public void Cut()
    {
        lock (gate)
        {
            serving?.Cancel();
            serving?.Dispose();
            serving = null;
            listener?.Stop();
            listener = null;
            foreach (var socket in open)
            {
                // Linger 0: the peer gets a reset, not an orderly end.
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }

            open.Clear();
        }
    }

    public void Dispose() => Cut();

    private async Task AcceptAsync(TcpListener accepting, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                client = await accepting.AcceptSocketAsync(cancellationToken);
                await upstream.ConnectAsync(IPAddress.Loopback, target, cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                upstream.Dispose();
                return;
            }

            lock (gate)
            {
                open.Add(client);
                open.Add(upstream);
            }

            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Cut, or the other side went away: the relay's connection ends with it.
        }
    }
}
