using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Containment.Bench;

/// <summary>
/// A loopback TCP relay in front of a server that holds every chunk for <see cref="OneWay"/> in each direction, as a
/// network between two machines does: a request and its answer cost one round trip more, and chunks keep flowing
/// meanwhile (the delay is not a pause of the connection).
/// </summary>
/// <remarks>
/// Every chunk waits the same time, so chunks fall due in the order they came, and one thread sends them all in that
/// order. It sleeps with <see cref="Thread.Sleep(int)"/>, which wakes within about 0.1 ms of the millisecond asked on
/// Linux, where .NET's timers (<see cref="Task.Delay(TimeSpan)"/>) wake several milliseconds late.
/// </remarks>
internal sealed class DelayingRelay : IDisposable
{
    private readonly TcpListener listener;
    private readonly int target;
    private readonly CancellationTokenSource disposing = new();
    private readonly BlockingCollection<Chunk> due = [];
    private readonly ConcurrentBag<Socket> sockets = [];
    private readonly Thread sender;

    public DelayingRelay(int target, TimeSpan oneWay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(oneWay, TimeSpan.Zero);
        if (oneWay.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(oneWay), oneWay, "whole milliseconds only: the relay sleeps in milliseconds");
        }

        this.target = target;
        OneWay = oneWay;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        sender = new Thread(SendWhenDue) { IsBackground = true, Name = $"relay to :{target}" };
        sender.Start();
        _ = AcceptAsync(disposing.Token);
    }

    public int Port { get; }

    public TimeSpan OneWay { get; }

    public void Dispose()
    {
        disposing.Cancel();
        listener.Stop();
        due.CompleteAdding();
        sender.Join();
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        disposing.Dispose();
        due.Dispose();
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

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            sockets.Add(client);
            sockets.Add(upstream);
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, target, cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException)
            {
                // Disposed with the relay's other sockets.
                client.Shutdown(SocketShutdown.Both);
                continue;
            }

            _ = ReceiveAsync(client, upstream, cancellationToken);
            _ = ReceiveAsync(upstream, client, cancellationToken);
        }
    }

    /// <summary>One direction: what is received is queued, stamped with when it came; the end of the stream too.</summary>
    private async Task ReceiveAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
                var read = await from.ReceiveAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                due.Add(new Chunk(to, buffer, read, Stopwatch.GetTimestamp()), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The other side went away, or the relay stops: this direction ends with it.
        }

        try
        {
            due.Add(new Chunk(to, null, 0, Stopwatch.GetTimestamp()), CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // The relay stops.
        }
    }

    private void SendWhenDue()
    {
        foreach (var chunk in due.GetConsumingEnumerable())
        {
            // To the nearest millisecond, the sleep's unit: a chunk that came just after the one before goes with it,
            // rather than a whole millisecond later.
            var wait = (int)Math.Round((OneWay - Stopwatch.GetElapsedTime(chunk.ReceivedAt)).TotalMilliseconds, MidpointRounding.AwayFromZero);
            if (wait > 0)
            {
                Thread.Sleep(wait);
            }

            try
            {
                if (chunk.Buffer is null)
                {
                    // The sending side ended its stream: so does the relay, once what came before has gone.
                    chunk.To.Shutdown(SocketShutdown.Send);
                    continue;
                }

                chunk.To.Send(chunk.Buffer.AsSpan(0, chunk.Length));
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // The receiving side went away: what is left for it is dropped.
            }
            finally
            {
                if (chunk.Buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                }
            }
        }
    }

    /// <summary>Bytes for <see cref="To"/>, or (no buffer) the end of the stream towards it.</summary>
    private readonly record struct Chunk(Socket To, byte[]? Buffer, int Length, long ReceivedAt);
}
