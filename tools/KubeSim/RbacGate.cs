using Microsoft.AspNetCore.Http;

namespace KubeSim;

/// <summary>
/// Authentication then authorization, as the API server's filters run them before a handler: a request without a
/// bearer token known here is answered 401, one the authorizer refuses 403, each with the API server's Status body.
/// </summary>
internal sealed class RbacGate(TokenAuthenticator authenticator, RbacAuthorizer authorizer)
{
    /// <summary>The request's user when the request may go on; otherwise null, and its answer is written.</summary>
    public async Task<KubeUser?> AdmitAsync(HttpContext context)
    {
        var request = context.Request;
        if (authenticator.Authenticate(request.Headers.Authorization.ToString()) is not { } user)
        {
            await KubeApi.WriteAsync(context.Response, 401, KubeStatus.Unauthorized(), context.RequestAborted);
            return null;
        }

        var attributes = RequestAttributes.From(request.Method, request.Path.Value ?? "/", request.Query);
        if (await authorizer.AllowsAsync(user, attributes, context.RequestAborted))
        {
            return user;
        }

        // A non-resource request has no group, resource or name: its details are empty.
        var status = KubeStatus.Forbidden(attributes.ApiGroup, attributes.Resource, attributes.Name, ForbiddenMessage(user, attributes));
        await KubeApi.WriteAsync(context.Response, 403, status, context.RequestAborted);
        return null;
    }

    /// <summary>The API server's wording: what was refused (resource.group "name"), then who could not do what, where.</summary>
    private static string ForbiddenMessage(KubeUser user, RequestAttributes request)
    {
        if (!request.IsResourceRequest)
        {
            return $"forbidden: User {Quote(user.Name)} cannot {request.Verb} path {Quote(request.Path)}";
        }

        var qualified = request.ApiGroup.Length > 0 ? $"{request.Resource}.{request.ApiGroup}" : request.Resource;
        var what = request.Name is { Length: > 0 } name ? $"{qualified} {Quote(name)}" : qualified;
        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        var where = request.Namespace is { Length: > 0 } ns ? $"in the namespace {Quote(ns)}" : "at the cluster scope";
        return $"{what} is forbidden: User {Quote(user.Name)} cannot {request.Verb} resource {Quote(resource)} in API group {Quote(request.ApiGroup)} {where}";
    }

    // Go's %q: double quotes, with backslashes and quotes escaped (names here are printable).
    private static string Quote(string text) => $"\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
