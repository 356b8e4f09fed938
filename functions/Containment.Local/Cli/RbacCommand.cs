using System.CommandLine;
using System.CommandLine.Parsing;
using Containment.Clusters;

namespace Containment.Local.Cli;

/// <summary>
/// <c>rbac [--name N] [--user U]... [--group G]... [--service-account NAMESPACE/NAME]...</c>: the ClusterRole of what
/// Containment does on a cluster, and its binding to the given identities, as YAML for <c>kubectl apply -f -</c>.
/// </summary>
internal static class RbacCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name")
        {
            Description = "the ClusterRole's and the ClusterRoleBinding's name",
            DefaultValueFactory = _ => ClusterRoleManifest.DefaultName,
        };
        name.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } given && !IsObjectName(given))
            {
                result.AddError($"--name '{given}' is not a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253)");
            }
        });
        var users = new Option<string[]>("--user") { Description = "a user to bind, as the cluster's authenticator names it (on AKS with Entra ID: the identity's object id)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var groups = new Option<string[]>("--group") { Description = "a group to bind (on AKS with Entra ID: the group's object id)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var serviceAccounts = new Option<string[]>("--service-account") { Description = "a service account to bind, as NAMESPACE/NAME", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        serviceAccounts.Validators.Add(result =>
        {
            foreach (var given in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ServiceAccount(given) is null)
                {
                    result.AddError($"--service-account '{given}' is not NAMESPACE/NAME (a namespace and a service account name, as Kubernetes names them)");
                }
            }
        });
        foreach (var subject in new[] { users, groups })
        {
            subject.Validators.Add(result =>
            {
                if ((result.GetValueOrDefault<string[]>() ?? []).Any(string.IsNullOrWhiteSpace))
                {
                    result.AddError($"{result.Option.Name} takes a name, not an empty text");
                }
            });
        }

        var command = new Command("rbac", "Print the ClusterRole Containment needs on a cluster, and its binding to an identity, as YAML for kubectl apply -f -.")
        {
            name, users, groups, serviceAccounts,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<RbacSubject> subjects =
            [
                .. (parse.GetValue(users) ?? []).Select(user => new RbacSubject(RbacSubjectKind.User, user)),
                .. (parse.GetValue(groups) ?? []).Select(group => new RbacSubject(RbacSubjectKind.Group, group)),
                .. (parse.GetValue(serviceAccounts) ?? []).Select(account => ServiceAccount(account)!),
            ];
            await parse.InvocationConfiguration.Output.WriteAsync(
                ClusterRoleManifest.Yaml(parse.GetValue(name)!, ContainmentPermissions.All, subjects).AsMemory(), cancellationToken);
            return ContainmentCli.Ok;
        });
        return command;
    }

    private static RbacSubject? ServiceAccount(string given) =>
        given.Split('/') is [var ns, var account] && KubernetesNames.Problem(KubernetesNameKind.Namespace, ns) is null && IsObjectName(account)
            ? new RbacSubject(RbacSubjectKind.ServiceAccount, account, ns)
            : null;

    // Role, binding and service account names are DNS-1123 subdomains, as pod names are.
    private static bool IsObjectName(string given) => KubernetesNames.Problem(KubernetesNameKind.Pod, given) is null;
}
