using System.Diagnostics;

namespace Containment.Local.Hosting;

/// <summary>
/// A child server (Azurite, maildev) on loopback ports free when picked. Another process may bind a port between the
/// pick and the child's own bind, and a probe of the port would then find that other listener: the child counts as
/// ready only once it says on its standard output that it listens, and a child that found a port taken is started
/// again on fresh ones.
/// </summary>
public sealed class PortBoundProcess : IAsyncDisposable
{
    private const int MaxStarts = 5;

    private static readonly TimeSpan Readiness = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private int disposed;

    private PortBoundProcess(Process process, IReadOnlyList<int> ports)
    {
        this.process = process;
        Ports = ports;
    }

    public IReadOnlyList<int> Ports { get; }

    public int ProcessId => process.Id;

    /// <summary>The CPU time the child has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <param name="name">The server's name, for errors.</param>
    /// <param name="executable">The server's executable.</param>
    /// <param name="portCount">How many ports it takes.</param>
    /// <param name="arguments">Its arguments, given its ports.</param>
    /// <param name="readyLines">What its standard output says once it listens: every one of them, in any order.</param>
    public static Task<PortBoundProcess> StartAsync(
        string name, string executable, int portCount, Func<IReadOnlyList<int>, IEnumerable<string>> arguments, IReadOnlyList<string> readyLines, CancellationToken cancellationToken = default) =>
        StartAsync(name, executable, portCount, arguments, readyLines, FreePort.Next, cancellationToken);

    /// <param name="pickPort">Gives a port free when picked.</param>
    internal static async Task<PortBoundProcess> StartAsync(
        string name, string executable, int portCount, Func<IReadOnlyList<int>, IEnumerable<string>> arguments, IReadOnlyList<string> readyLines, Func<int> pickPort, CancellationToken cancellationToken)
    {
        for (var start = 1; ; start++)
        {
            var ports = DistinctPorts(portCount, pickPort);
            var info = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments(ports))
            {
                info.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var output = new StartupOutput(readyLines);
            process.OutputDataReceived += (_, line) => output.Heard(line.Data);
            process.ErrorDataReceived += (_, line) => output.Heard(line.Data);
            process.Exited += (_, _) => output.Exited();
            if (!process.Start())
            {
                throw new InvalidOperationException($"{name} did not start ({executable})");
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new PortBoundProcess(process, ports);
            bool listening;
            try
            {
                listening = await output.Ready.WaitAsync(Readiness, cancellationToken);
            }
            catch (TimeoutException)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"{name} did not say it listens on ports {string.Join(", ", ports)} within {Readiness.TotalSeconds:0} s; it said: {output.Said}");
            }
            catch (OperationCanceledException)
            {
                await server.DisposeAsync();
                throw;
            }

            if (listening)
            {
                return server;
            }

            // Exited: the output is read to its end before it is judged.
            await server.DisposeAsync();
            if (!output.Mentions("EADDRINUSE") || start == MaxStarts)
            {
                throw new InvalidOperationException($"{name} exited before it listened on ports {string.Join(", ", ports)}; it said: {output.Said}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        // Bounded: the wait also reads the redirected output to its end, which an orphan holding the pipe would put off.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        process.Dispose();
    }

    // Two picks may give the same port, the first listener being closed before the second is made.
    private static int[] DistinctPorts(int count, Func<int> pickPort)
    {
        var ports = new List<int>(count);
        while (ports.Count < count)
        {
            var port = pickPort();
            if (!ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        return [.. ports];
    }

    /// <summary>
    /// What the child says until it listens, to judge a failed start by; no more once it listens, as a server's
    /// access log would grow without end.
    /// </summary>
    private sealed class StartupOutput(IReadOnlyList<string> readyLines)
    {
        private readonly Lock gate = new();
        private readonly List<string> lines = [];
        private readonly HashSet<string> unheard = new(readyLines, StringComparer.Ordinal);
        private readonly TaskCompletionSource<bool> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool listening;

        /// <summary>True once every ready line was said; false if the child exited first.</summary>
        public Task<bool> Ready => ready.Task;

        public string Said
        {
            get
            {
                lock (gate)
                {
                    var said = lines.Where(line => line.Length > 0).TakeLast(8).ToList();
                    return said.Count == 0 ? "nothing" : string.Join(" | ", said);
                }
            }
        }

        public void Heard(string? line)
        {
            lock (gate)
            {
                if (line is null || listening)
                {
                    return;
                }

                lines.Add(line);
                unheard.RemoveWhere(expected => line.Contains(expected, StringComparison.Ordinal));
                listening = unheard.Count == 0;
            }

            if (listening)
            {
                ready.TrySetResult(true);
            }
        }

        // The last lines may still come after this: they are kept, and judged once the output has ended.
        public void Exited() => ready.TrySetResult(false);

        public bool Mentions(string text)
        {
            lock (gate)
            {
                return lines.Exists(line => line.Contains(text, StringComparison.Ordinal));
            }
        }
    }
}
