using Containment.Local.Cli;
using Containment.Tests.KubeSim;
using Containment.Tests.Support;
using KubeSim;

namespace Containment.Tests.Reliability;

/// <summary>
/// The whole product on loopback against a KubeSim that enforces RBAC and serves Cilium's policies, reached as an
/// identity that holds only the role <c>./containment rbac</c> prints, applied with kubectl as a cluster admin would.
/// </summary>
public sealed class LeastPrivilegeHostFixture : LocalHostFixture
{
    public const string Identity = "containment-runner";

    private const string Token = "containment-runner-token";

    /// <summary>A kubeconfig of KubeSim's admin, for what a cluster admin does in a test.</summary>
    public string AdminKubeconfig { get; private set; } = null!;

    /// <summary>The role and its binding as <c>./containment rbac --user containment-runner</c> prints them.</summary>
    public static async Task<string> RbacYamlAsync()
    {
        var (exit, output, error) = await Cli.CliRun.RunAsync("rbac", "--user", Identity);
        return exit == ContainmentCli.Ok ? output : throw new InvalidOperationException($"rbac exited {exit}: {error}");
    }

    /// <summary>Applies a manifest with kubectl, as the cluster's admin.</summary>
    public async Task ApplyAsAdminAsync(string yaml)
    {
        var file = Path.ChangeExtension(AdminKubeconfig, $".{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var (exit, _, error) = await KubectlRunner.RunAsync(AdminKubeconfig, home: null, "apply", "-f", file);
            if (exit != 0)
            {
                throw new InvalidOperationException($"kubectl apply exited {exit}: {error}");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    protected override KubeSimOptions ClusterOptions(KubeSimOptions defaults) => defaults with { Rbac = true, Cilium = true };

    protected override async Task WriteKubeconfigAsync(string path)
    {
        AdminKubeconfig = path + ".admin";
        await KubeSim.WriteKubeconfigAsync(AdminKubeconfig);
        await ApplyAsAdminAsync(await RbacYamlAsync());
        KubeSim.AddUser(Token, Identity);
        await KubeSim.WriteKubeconfigAsync(path, Token);
    }
}

[CollectionDefinition(Name)]
public sealed class LeastPrivilegeHostCollection : ICollectionFixture<LeastPrivilegeHostFixture>
{
    public const string Name = "least-privilege host";
}
