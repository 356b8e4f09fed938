using System.Diagnostics;
using Containment.Tests.Support;

namespace Containment.Tests.KubeSim;

/// <summary>Runs the real kubectl (Debian's, which ./test.sh installs) against a kubeconfig.</summary>
internal static class KubectlRunner
{
    public const string Path = "/usr/bin/kubectl";

    public const string Missing = $"{Path} is missing: ./test.sh installs it (Debian package kubernetes-client)";

    /// <param name="home">kubectl's HOME, where it caches discovery per server; the temp directory when null.</param>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string kubeconfig, string? home, params string[] args)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        start.ArgumentList.Add("--request-timeout=20s");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = home ?? System.IO.Path.GetTempPath();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(RealTimeLimit.Patience);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kubectl {string.Join(' ', args)} did not exit within {RealTimeLimit.Patience}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
