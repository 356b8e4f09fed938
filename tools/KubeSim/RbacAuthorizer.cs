using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>
/// The API server's authorizers in the order it asks them: system:masters is allowed everything; discovery is open to
/// every authenticated user (the system:discovery and system:public-info-viewer bindings of a real cluster); then RBAC,
/// read from the store on every request so a change to a role or binding applies to the next request.
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store)
{
    // The non-resource paths real clusters grant system:authenticated through their bootstrap bindings.
    private static readonly string[] DiscoveryPaths = ["/api", "/apis", "/version", "/version/", "/openapi", "/healthz", "/livez", "/readyz"];
    private static readonly string[] DiscoveryPrefixes = ["/api/", "/apis/", "/openapi/"];

    public async Task<bool> AllowsAsync(KubeUser user, RequestAttributes request, CancellationToken cancellationToken)
    {
        if (user.IsMaster)
        {
            return true;
        }

        if (!request.IsResourceRequest && user.IsIn(KubeUser.Authenticated)
            && (DiscoveryPaths.Contains(request.Path, StringComparer.Ordinal) || DiscoveryPrefixes.Any(p => request.Path.StartsWith(p, StringComparison.Ordinal))))
        {
            return true;
        }

        // system:basic-user, bound to system:authenticated on every cluster: anyone may ask what they may do.
        if (request is { IsResourceRequest: true, Verb: "create", ApiGroup: AccessReviews.Group, Resource: AccessReviews.Resource } && user.IsIn(KubeUser.Authenticated))
        {
            return true;
        }

        // A RoleBinding grants in its own namespace, and only resources: a path is never in a namespace.
        return await AnyGrantsAsync(ResourceCatalog.ClusterRoleBindings, null, user, request, cancellationToken)
            || (request.IsResourceRequest && request.Namespace is { } ns
                && await AnyGrantsAsync(ResourceCatalog.RoleBindings, ns, user, request, cancellationToken));
    }

    /// <summary>Whether a binding of the kind (in the namespace, for RoleBindings) names the user and refers to a role allowing the request.</summary>
    private async Task<bool> AnyGrantsAsync(ResourceKind bindings, string? ns, KubeUser user, RequestAttributes request, CancellationToken cancellationToken)
    {
        foreach (var binding in await ListAsync(bindings, ns, cancellationToken))
        {
            if (PolicyRules.Names(binding, user, ns) && PolicyRules.AnyAllows(await RulesAsync(binding["roleRef"], ns, cancellationToken), request))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<IReadOnlyList<JsonObject>> ListAsync(ResourceKind kind, string? ns, CancellationToken cancellationToken) =>
        (await store.ListAsync(kind, ns, LabelSelector.Everything, NoFieldSelector, cancellationToken)).Items;

    private static readonly Dictionary<string, string> NoFieldSelector = [];

    /// <summary>
    /// The rules of the role a binding refers to: a ClusterRole, or (from a RoleBinding) a Role in the binding's namespace.
    /// A role that does not exist grants nothing.
    /// </summary>
    private async Task<JsonNode?> RulesAsync(JsonNode? roleRef, string? bindingNamespace, CancellationToken cancellationToken)
    {
        var name = PolicyRules.Text(roleRef?["name"]);
        var role = (PolicyRules.Text(roleRef?["kind"]), name) switch
        {
            (_, null) => null,
            ("ClusterRole", _) => await store.GetAsync(ResourceCatalog.ClusterRoles, null, name, cancellationToken),
            ("Role", _) when bindingNamespace is not null => await store.GetAsync(ResourceCatalog.Roles, bindingNamespace, name, cancellationToken),
            _ => null,
        };
        return role?["rules"];
    }
}
