using Containment.Local.Cli;
using k8s;
using k8s.Models;

namespace Containment.Tests.Cli;

/// <summary><c>./containment rbac</c>: the ClusterRole of what Containment does on a cluster, and its binding.</summary>
public sealed class RbacCommandTests
{
    [Fact]
    public async Task Rbac_NoSubject_PrintsTheClusterRoleAlone_WithEveryPermission()
    {
        var (exit, output, error) = await RunAsync("rbac");

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.Empty(error);
        var role = Assert.IsType<V1ClusterRole>(Assert.Single(Objects(output)));
        Assert.Equal(("rbac.authorization.k8s.io/v1", "containment"), (role.ApiVersion, role.Metadata.Name));
        Assert.Equal(
            ContainmentPermissions.All.Select(permission => (permission.Group, permission.Resource, string.Join(',', permission.Verbs))),
            role.Rules.Select(rule => (Assert.Single(rule.ApiGroups), Assert.Single(rule.Resources), string.Join(',', rule.Verbs))));
    }

    [Fact]
    public async Task Rbac_Subjects_BindsTheRoleOfTheGivenNameToEachOfThem()
    {
        var (exit, output, _) = await RunAsync(
            "rbac", "--name", "containment-prod", "--user", "5f1b2c3d-0000-4000-8000-000000000001", "--group", "soc-responders", "--service-account", "containment/runner");

        Assert.Equal(ContainmentCli.Ok, exit);
        var objects = Objects(output);
        Assert.Equal("containment-prod", Assert.IsType<V1ClusterRole>(objects[0]).Metadata.Name);
        var binding = Assert.IsType<V1ClusterRoleBinding>(objects[1]);
        Assert.Equal(("containment-prod", "ClusterRole", "containment-prod"), (binding.Metadata.Name, binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(
            [
                ("User", "5f1b2c3d-0000-4000-8000-000000000001", (string?)null, (string?)"rbac.authorization.k8s.io"),
                ("Group", "soc-responders", null, "rbac.authorization.k8s.io"),
                ("ServiceAccount", "runner", "containment", null),
            ],
            binding.Subjects.Select(subject => (subject.Kind, subject.Name, (string?)subject.NamespaceProperty, (string?)subject.ApiGroup)));
    }

    [Theory]
    [InlineData("--name", "Containment", "--name 'Containment' is not a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253)")]
    [InlineData("--service-account", "runner", "--service-account 'runner' is not NAMESPACE/NAME (a namespace and a service account name, as Kubernetes names them)")]
    [InlineData("--service-account", "containment/Runner", "--service-account 'containment/Runner' is not NAMESPACE/NAME (a namespace and a service account name, as Kubernetes names them)")]
    [InlineData("--user", " ", "--user takes a name, not an empty text")]
    public async Task Rbac_BadValue_IsAUsageErrorSayingWhatIsExpected_AndPrintsNothing(string option, string value, string says)
    {
        var (exit, output, error) = await RunAsync("rbac", option, value);

        Assert.Equal(ContainmentCli.Usage, exit);
        Assert.Equal(says, error.Trim());
        Assert.Empty(output);
    }

    private static List<object> Objects(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, new Dictionary<string, Type>
        {
            ["rbac.authorization.k8s.io/v1/ClusterRole"] = typeof(V1ClusterRole),
            ["rbac.authorization.k8s.io/v1/ClusterRoleBinding"] = typeof(V1ClusterRoleBinding),
        });

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);
}
