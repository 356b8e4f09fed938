using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>Kubernetes <c>Status</c> bodies.</summary>
public static class KubeStatus
{
    /// <param name="details">Set before <c>code</c>, in the API server's order.</param>
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

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

        return Failure(403, "Forbidden", message, details);
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
