using Microsoft.AspNetCore.Http;

namespace KubeSim;

/// <summary>
/// What a request asks to do, read from its method, path and query as the API server's request info reads them before
/// it authorizes: <c>/api/v1/...</c> and <c>/apis/{group}/{version}/...</c> with a resource are resource requests,
/// everything else (discovery, <c>/version</c>, <c>/openapi/v2</c>) is a non-resource path.
/// </summary>
internal sealed record RequestAttributes(
    string Verb, string Path, bool IsResourceRequest, string ApiGroup = "", string Resource = "", string Subresource = "", string? Namespace = null, string? Name = null)
{
    // Paths under a namespace that are the namespace's own subresources, not a resource in it.
    private static readonly string[] NamespaceSubresources = ["status", "finalize"];

    public static RequestAttributes From(string method, string path, IQueryCollection query)
    {
        var verb = method.ToLowerInvariant();
        // Split as KubeApi splits, so the object authorized is the object served.
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (group, rest) = parts switch
        {
            ["api", _, .. var r] when r.Length > 0 => ("", r),
            ["apis", var g, _, .. var r] when r.Length > 0 => (g, r),
            _ => (null, []),
        };
        if (group is null)
        {
            return new RequestAttributes(verb, path, IsResourceRequest: false);
        }

        string? ns = null;
        if (rest is ["namespaces", var n, ..])
        {
            // /namespaces/{ns} is the namespace itself, in its own namespace; /namespaces/{ns}/{resource}/... is in it.
            ns = n;
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2], StringComparer.Ordinal))
            {
                rest = rest[2..];
            }
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : "";
        verb = (method.ToUpperInvariant(), name) switch
        {
            ("GET" or "HEAD", not null) => "get",
            ("GET" or "HEAD", null) => Watches(query) ? "watch" : "list",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", not null) => "delete",
            ("DELETE", null) => "deletecollection",
            _ => "",
        };
        if (verb is "list" or "watch")
        {
            // A list of one name (metadata.name=x) is authorized as that name, so a rule's resourceNames can allow it.
            name = NameSelected(query["fieldSelector"]);
        }

        return new RequestAttributes(verb, path, IsResourceRequest: true, group, rest[0], subresource, ns, name);
    }

    // Any value but "false" or "0" is a watch, an empty one too, as the API server reads a boolean query parameter.
    private static bool Watches(IQueryCollection query) =>
        query.TryGetValue("watch", out var values) && values.Count > 0
        && !(values[0] == "0" || string.Equals(values[0], "false", StringComparison.OrdinalIgnoreCase));

    private static string? NameSelected(string? fieldSelector)
    {
        foreach (var term in (fieldSelector ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            var value = term.StartsWith("metadata.name==", StringComparison.Ordinal) ? term["metadata.name==".Length..]
                : term.StartsWith("metadata.name=", StringComparison.Ordinal) ? term["metadata.name=".Length..]
                : null;
            if (value is { Length: > 0 } && value is not ("." or "..") && value.IndexOfAny(['/', '%']) < 0)
            {
                return value;
            }
        }

        return null;
    }
}
