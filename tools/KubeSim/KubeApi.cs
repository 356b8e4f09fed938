using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KubeSim;

/// <summary>The Kubernetes REST paths: discovery, then CRUD, list, patch on the served resources.</summary>
internal sealed class KubeApi(ObjectStore store, IReadOnlyList<ResourceKind> kinds, Func<string> serverAddress)
{
    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var request = context.Request;
        var segments = request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (OpenApiV2.Serves(request.Method, segments))
        {
            await OpenApiV2.WriteAsync(context);
            return;
        }

        try
        {
            var (status, body) = await RouteAsync(request, segments, ct);
            await WriteAsync(context.Response, status, body, ct);
        }
        catch (KubeApiException e)
        {
            await WriteAsync(context.Response, e.Code, e.ToStatus(), ct);
        }
        catch (JsonException e)
        {
            await WriteAsync(context.Response, 400, KubeStatus.Failure(400, "BadRequest", e.Message), ct);
        }
    }

    private async Task<(int, JsonNode)> RouteAsync(HttpRequest request, string[] s, CancellationToken ct)
    {
        var method = request.Method;
        if (HttpMethods.IsGet(method))
        {
            switch (s)
            {
                case ["version"]:
                    return (200, new JsonObject { ["major"] = "1", ["minor"] = "33", ["gitVersion"] = "v1.33.0-kubesim", ["platform"] = "linux/amd64" });
                case ["api"]:
                    return (200, new JsonObject
                    {
                        ["kind"] = "APIVersions",
                        ["versions"] = new JsonArray("v1"),
                        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress() }),
                    });
                case ["apis"]:
                    return (200, GroupList());
                case ["api", "v1"]:
                    return (200, ResourceList("", "v1"));
                case ["apis", var g, var v] when kinds.Any(k => k.Group == g && k.Version == v):
                    return (200, ResourceList(g, v));
                case ["apis", var g] when kinds.Any(k => k.Group == g):
                    return (200, Group(g));
            }
        }

        var (kind, ns, name) = Resolve(s);
        JsonNode? body;
        switch (method)
        {
            case "GET" when name is null:
                var labels = LabelSelector.Parse(request.Query["labelSelector"]);
                var fields = ParseFields(request.Query["fieldSelector"]);
                var (items, version) = await store.ListAsync(kind, ns, labels, fields, ct);
                return (200, new JsonObject
                {
                    ["kind"] = kind.Kind + "List",
                    ["apiVersion"] = kind.GroupVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = version },
                    ["items"] = new JsonArray(items.Cast<JsonNode>().ToArray()),
                });
            case "GET":
                return (200, await store.GetAsync(kind, ns, name, ct) ?? throw KubeApiException.NotFound(kind, name));
            case "POST" when name is null:
                body = await ReadBodyAsync(request, ct);
                return (201, await store.CreateAsync(kind, ns, body as JsonObject ?? throw BadBody(), ct));
            case "PUT" when name is not null:
                body = await ReadBodyAsync(request, ct);
                return (200, await store.ReplaceAsync(kind, ns, name, body as JsonObject ?? throw BadBody(), ct));
            case "PATCH" when name is not null:
                var contentType = request.ContentType ?? "";
                if (!contentType.Contains("patch+json", StringComparison.OrdinalIgnoreCase))
                {
                    throw new KubeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
                }

                body = await ReadBodyAsync(request, ct);
                return (200, await store.PatchAsync(kind, ns, name, contentType, body ?? throw BadBody(), ct));
            case "DELETE" when name is not null:
                // DeleteOptions may come as the body; its preconditions are checked against the object.
                var preconditions = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0
                    ? (await ReadBodyAsync(request, ct))?["preconditions"] as JsonObject
                    : null;
                var deleted = await store.DeleteAsync(kind, ns, name, ct, (string?)preconditions?["uid"], (string?)preconditions?["resourceVersion"]);
                return (200, kind == ResourceCatalog.Pods || kind.Group == ResourceCatalog.CiliumNetworkPolicies.Group ? deleted : KubeStatus.Success());
            default:
                throw new KubeApiException(405, "MethodNotAllowed", $"{method} is not supported on {request.Path}");
        }
    }

    private static KubeApiException BadBody() => new(400, "BadRequest", "the request body is not a JSON object");

    private (ResourceKind Kind, string? Namespace, string? Name) Resolve(string[] s)
    {
        // /api/v1/... or /apis/{group}/{version}/...
        var (group, version, rest) = s switch
        {
            ["api", var v, .. var r] => ("", v, r),
            ["apis", var g, var v, .. var r] => (g, v, r),
            _ => throw NotFoundPath(s),
        };
        string? ns = null;
        if (rest is ["namespaces", var n, var _, ..])
        {
            ns = n;
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 2)
        {
            throw NotFoundPath(s);
        }

        var kind = kinds.FirstOrDefault(k => k.Group == group && k.Version == version && k.Plural == rest[0]) ?? throw NotFoundPath(s);
        if (!kind.Namespaced && ns is not null)
        {
            throw NotFoundPath(s);
        }

        return (kind, ns, rest.Length == 2 ? rest[1] : null);
    }

    private static KubeApiException NotFoundPath(string[] s) => new(404, "NotFound", $"the server could not find the requested resource (/{string.Join('/', s)})");

    private static Dictionary<string, string> ParseFields(string? selector)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var term in (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            if (notEqual > 0)
            {
                fields[term[..notEqual]] = "!" + term[(notEqual + 2)..];
                continue;
            }

            var parts = term.Split('=', 2);
            if (parts.Length == 2)
            {
                fields[parts[0]] = parts[1].TrimStart('=');
            }
        }

        return fields;
    }

    private JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(kinds.Where(k => k.Group.Length > 0).Select(k => k.Group).Distinct().Select(g => (JsonNode)Group(g)).ToArray()),
    };

    private JsonObject Group(string group)
    {
        var versions = kinds.Where(k => k.Group == group).Select(k => k.Version).Distinct()
            .Select(v => new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToList();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Cast<JsonNode>().ToArray()),
            ["preferredVersion"] = versions[0].DeepClone(),
        };
    }

    private JsonObject ResourceList(string group, string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
        ["resources"] = new JsonArray(kinds.Where(k => k.Group == group && k.Version == version).Select(k => (JsonNode)new JsonObject
        {
            ["name"] = k.Plural,
            ["singularName"] = k.Singular,
            ["namespaced"] = k.Namespaced,
            ["kind"] = k.Kind,
            ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update"),
            ["shortNames"] = new JsonArray(k.ShortNames.Select(n => (JsonNode)n).ToArray()),
        }).ToArray()),
    };

    private static async Task<JsonNode?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        return JsonNode.Parse(text);
    }

    internal static async Task WriteAsync(HttpResponse response, int status, JsonNode body, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(body.ToJsonString(), ct);
    }
}
