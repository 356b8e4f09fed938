using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>Kubernetes <c>Status</c> bodies.</summary>
public static class KubeStatus
{
    public static JsonObject Failure(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    /// <summary>What the API server answers a request without a bearer token it knows.</summary>
    public static JsonObject Unauthorized() => Failure(401, "Unauthorized", "Unauthorized");

    /// <summary>
    /// What the API server answers a request its authorizers refuse: the details name the resource (plural) as
    /// <c>kind</c>, its group unless core, and the object's name when the request has one.
    /// </summary>
    public static JsonObject Forbidden(string group, string resource, string? name, string message)
    {
        var details = new JsonObject();
        if (!string.IsNullOrEmpty(name))
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        if (resource.Length > 0)
        {
            details["kind"] = resource;
        }

        var status = Failure(403, "Forbidden", message);
        status.Remove("code");
        status["details"] = details;
        status["code"] = 403;
        return status;
    }

    public static JsonObject Success() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["code"] = 200,
    };
}
