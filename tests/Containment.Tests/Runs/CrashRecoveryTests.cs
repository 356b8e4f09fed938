using System.Collections.Concurrent;
using System.Diagnostics;
using Containment.Tests.Support;

namespace Containment.Tests.Runs;

/// <summary>
/// A process running the embedded runtime is killed with SIGKILL while one run has applied an activity's
/// effect but not saved its result, one waits for an approval and one waits on a timer; a new process
/// finishes all three, each effect applied once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite) : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("crash-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task Kill_MidRun_NewProcessFinishesEveryRunWithEachEffectOnce()
    {
        var prefix = AzuriteFixture.NewTablePrefix();
        using (var first = ChildProcess.Start("start", azurite.ConnectionString, prefix, folder.FullName))
        {
            await first.WaitForLinesAsync(line => line.StartsWith("blocked crash~a~pod-a", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
            await first.WaitForLinesAsync(line => line.StartsWith("waiting crash~b~pod-b", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
            var timer = await first.WaitForLinesAsync(line => line.StartsWith("waiting crash~c~pod-c", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
            first.Kill();

            // Let C's deadline pass while no process runs.
            var deadline = DateTimeOffset.Parse(timer.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
            var untilDue = deadline - DateTimeOffset.UtcNow;
            if (untilDue > TimeSpan.Zero)
            {
                await Task.Delay(untilDue + TimeSpan.FromMilliseconds(200));
            }
        }

        using var second = ChildProcess.Start("recover", azurite.ConnectionString, prefix, folder.FullName);
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(180));

        Assert.True(exit == 0, $"the recovering process exited with {exit}: {second.Transcript}");
        var finished = second.Lines.Where(line => line.StartsWith("finished", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "finished crash~a~pod-a Succeeded isolate:Succeeded,mark:Succeeded",
                "finished crash~b~pod-b Succeeded isolate:Succeeded,ask:Approved,release:Succeeded",
                "finished crash~c~pod-c Succeeded pause:Succeeded,tell:Succeeded",
            ],
            finished);

        var effects = File.ReadAllLines(Path.Combine(folder.FullName, "effects.txt"));
        var attempts = File.ReadAllLines(Path.Combine(folder.FullName, "attempts.txt"));
        Assert.Equal(effects.Length, effects.Distinct().Count());
        Assert.Equal(
            ["IsolatePod", "IsolatePod", "Notify", "ReleasePod", "RequestApproval", "SetEventStatus"],
            effects.Select(line => line.Split(' ')[0]).Order(StringComparer.Ordinal));

        // A's isolate ran in both processes, under one call id: the idempotency key survived the crash.
        var isolateOfA = attempts.Where(line => line.StartsWith("IsolatePod crash~a~pod-a:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, isolateOfA.Count);
        Assert.Single(isolateOfA.Distinct());

        // B's isolate had saved its result before the kill: it never ran again.
        Assert.Single(attempts, line => line.StartsWith("IsolatePod crash~b~pod-b:", StringComparison.Ordinal));
    }

    /// <summary>The runtime host as a child process, its output read line by line.</summary>
    private sealed class ChildProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> lines = new();
        private readonly SemaphoreSlim lineArrived = new(0);
        private readonly ConcurrentQueue<string> errors = new();

        private ChildProcess(Process process)
        {
            this.process = process;
            process.OutputDataReceived += (_, data) =>
            {
                if (data.Data is not null)
                {
                    lines.Enqueue(data.Data);
                    lineArrived.Release();
                }
            };
            process.ErrorDataReceived += (_, data) =>
            {
                if (data.Data is not null)
                {
                    errors.Enqueue(data.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public IReadOnlyCollection<string> Lines => lines;

        public string Transcript => string.Join(" | ", lines.Concat(errors.TakeLast(20)));

        public static ChildProcess Start(params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(HostPath());
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException("the runtime host did not start"));
        }

        public async Task<string> WaitForLinesAsync(Func<string, bool> wanted, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            cancel.Token.Register(() => lineArrived.Release());
            while (true)
            {
                if (lines.FirstOrDefault(wanted) is { } line)
                {
                    return line;
                }

                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the runtime host exited with {process.ExitCode}; it said: {Transcript}");
                }

                if (cancel.IsCancellationRequested)
                {
                    throw new TimeoutException($"the runtime host did not say it within {timeout}; it said: {Transcript}");
                }

                await lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            }
        }

        /// <summary>SIGKILL: no shutdown code runs.</summary>
        public void Kill()
        {
            process.Kill(entireProcessTree: true);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the runtime host did not exit within 30 s of SIGKILL");
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            await process.WaitForExitAsync(cancel.Token);
            process.WaitForExit();
            return process.ExitCode;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            lineArrived.Dispose();
        }

        private static string HostPath()
        {
            // The host is built beside the tests, in the same configuration.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var path = RepositoryRoot.Combine("tests", "Containment.RuntimeHost", "bin", configuration, "net10.0", "Containment.RuntimeHost.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build the solution first: the crash test runs the runtime host", path);
        }
    }
}
