using System.CommandLine;
using KubeSim;

namespace Containment.Local.Cli;

/// <summary><c>kubesim [--port N] [--seed FILE] [--cilium] [--rbac] [--kubeconfig-out FILE]</c>: hosts KubeSim until stopped.</summary>
public static class KubeSimCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "loopback port (0 picks a free one)", DefaultValueFactory = _ => 0 };
        var seed = new Option<FileInfo?>("--seed") { Description = "a Kubernetes List (JSON or YAML) to load" };
        var cilium = new Option<bool>("--cilium") { Description = "serve cilium.io/v2 ciliumnetworkpolicies" };
        var rbac = new Option<bool>("--rbac") { Description = "enforce Kubernetes RBAC: the kubeconfig's token is cluster-admin, other tokens need bindings" };
        var kubeconfigOut = new Option<FileInfo?>("--kubeconfig-out") { Description = "write a kubeconfig pointing at the server" };
        var command = new Command("kubesim", "A small Kubernetes API server for tests and the demo (not an enforcement engine).")
        {
            port, seed, cilium, rbac, kubeconfigOut,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var seedFile = parse.GetValue(seed);
            if (seedFile is { Exists: false })
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"seed file not found: {seedFile.FullName}");
                return ContainmentCli.Failed;
            }

            await using var server = await KubeSimServer.StartAsync(
                new KubeSimOptions { Port = parse.GetValue(port), Cilium = parse.GetValue(cilium), Rbac = parse.GetValue(rbac), SeedFile = seedFile?.FullName },
                cancellationToken);
            await output.WriteLineAsync($"KubeSim listening on {server.BaseUrl}");
            if (server.TlsUrl is { } tls)
            {
                // kubectl sends its token only over TLS: the kubeconfig points here.
                await output.WriteLineAsync($"RBAC enforced; TLS on {tls}");
            }
            if (parse.GetValue(kubeconfigOut) is { } kubeconfig)
            {
                await server.WriteKubeconfigAsync(kubeconfig.FullName, cancellationToken);
                await output.WriteLineAsync($"kubeconfig written to {kubeconfig.FullName}");
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop the server and exit normally.
            }

            return ContainmentCli.Ok;
        });
        return command;
    }
}
