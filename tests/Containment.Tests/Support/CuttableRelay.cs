using System.Net;
using System.Net.Sockets;
using Containment.Local.Hosting;

namespace Containment.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of a server, which a test cuts and restores: while cut, every connection is reset
/// (new ones as soon as they are accepted), as a client sees a storage outage. Silenced, it drops what clients send
/// and keeps their connections open, as a client sees packets lost: a request then gets no answer, ever. It keeps its
/// port the whole time, so no other test's server can take it meanwhile.
/// </summary>
public sealed class CuttableRelay : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<Socket> open = [];
    private readonly TcpListener listener;
    private readonly CancellationTokenSource disposing = new();
    private int? target;
    private volatile bool silent;
    private long swallowed;
    private long refused;

    /// <param name="target">The port to relay to; null to start cut.</param>
    public CuttableRelay(int? target = null)
    {
        this.target = target;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptAsync(disposing.Token);
    }

    public int Port { get; }

    /// <summary>The connection string of an Azurite behind this relay.</summary>
    public string AzuriteConnectionString => AzuriteServer.ConnectionStringOn(Port);

    /// <summary>How many bytes clients sent while the relay was silenced.</summary>
    public long Swallowed => Interlocked.Read(ref swallowed);

    /// <summary>How many connections were reset as they were made, the relay being cut.</summary>
    public long Refused => Interlocked.Read(ref refused);

    /// <summary>Relays to <paramref name="port"/>, and no longer silenced; a request sent while silenced stays unanswered.</summary>
    public void RelayTo(int port)
    {
        lock (gate)
        {
            target = port;
            silent = false;
        }
    }

    /// <summary>Drops what clients send from now on, answering nothing and resetting nothing.</summary>
    public void Silence() => silent = true;

    public void Cut()
    {
        lock (gate)
        {
            target = null;
            foreach (var socket in open)
            {
                Reset(socket);
            }

            open.Clear();
        }
    }

    public void Dispose()
    {
        disposing.Cancel();
        listener.Stop();
        Cut();
        disposing.Dispose();
    }

    private static void Reset(Socket socket)
    {
        // Linger 0: the peer gets a reset, not an orderly end.
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            int? to;
            lock (gate)
            {
                to = target;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (to is null)
                {
                    Interlocked.Increment(ref refused);
                    throw new SocketException((int)SocketError.ConnectionRefused);
                }

                await upstream.ConnectAsync(IPAddress.Loopback, to.Value, cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }

            lock (gate)
            {
                // Cut while this connection was being made: it is reset like the others.
                if (target is null)
                {
                    Interlocked.Increment(ref refused);
                    Reset(client);
                    Reset(upstream);
                    continue;
                }

                open.Add(client);
                open.Add(upstream);
            }

            _ = PumpAsync(client, upstream, fromClient: true);
            _ = PumpAsync(upstream, client, fromClient: false);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool fromClient)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                if (fromClient && silent)
                {
                    Interlocked.Add(ref swallowed, read);
                    continue;
                }

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
