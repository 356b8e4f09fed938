using System.Net.Http.Headers;
using System.Text;
using Containment.Clusters;
using KubeSim;

namespace Containment.Local.Hosting;

/// <summary>
/// A kubeconfig for a KubeSim that enforces RBAC, of an identity bound to Containment's role and nothing else, as a
/// cluster admin binds it (<c>./containment rbac --user NAME | kubectl apply -f -</c>): the demo and the soak act as
/// Containment does on a cluster where it is granted only what it declares.
/// </summary>
public static class LeastPrivilegeKubeconfig
{
    public const string Identity = "containment";

    private const string Token = "containment-least-privilege";

    /// <exception cref="InvalidOperationException">The cluster does not enforce RBAC (<see cref="KubeSimOptions.Rbac"/>).</exception>
    public static async Task WriteAsync(KubeSimServer cluster, string path, CancellationToken cancellationToken)
    {
        if (!cluster.Options.Rbac)
        {
            throw new InvalidOperationException("the cluster does not enforce RBAC: a least-privilege identity would be allowed everything");
        }

        using var admin = new HttpClient { BaseAddress = cluster.BaseUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", KubeSimServer.AdminToken);
        await CreateAsync(admin, ResourceCatalog.ClusterRoles, ClusterRoleManifest.Role(ClusterRoleManifest.DefaultName, ContainmentPermissions.All), cancellationToken);
        await CreateAsync(admin, ResourceCatalog.ClusterRoleBindings, ClusterRoleManifest.Binding(ClusterRoleManifest.DefaultName, [new RbacSubject(RbacSubjectKind.User, Identity)]), cancellationToken);
        cluster.AddUser(Token, Identity);
        await cluster.WriteKubeconfigAsync(path, Token, cancellationToken);
    }

    private static async Task CreateAsync(HttpClient admin, ResourceKind kind, object item, CancellationToken cancellationToken)
    {
        using var content = new StringContent(k8s.KubernetesJson.Serialize(item), Encoding.UTF8, "application/json");
        using var created = await admin.PostAsync(new Uri($"apis/{kind.GroupVersion}/{kind.Plural}", UriKind.Relative), content, cancellationToken);
        created.EnsureSuccessStatusCode();
    }
}
