using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>An API error answered as a Kubernetes Status body.</summary>
public sealed class KubeApiException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject ToStatus() => KubeStatus.Failure(Code, Reason, Message);

    public static KubeApiException NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.Plural}{(kind.Group.Length > 0 ? "." + kind.Group : "")} \"{name}\" not found");

    public static KubeApiException AlreadyExists(ResourceKind kind, string name) =>
        new(409, "AlreadyExists", $"{kind.Plural} \"{name}\" already exists");

    public static KubeApiException Conflict(ResourceKind kind, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {kind.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");

    /// <summary>A delete whose precondition (the uid or resourceVersion the client read) the object no longer meets.</summary>
    public static KubeApiException PreconditionFailed(ResourceKind kind, string name, string field, string expected, string actual) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {kind.Plural} \"{name}\": Precondition failed: {field} in precondition: {expected}, {field} in object meta: {actual}");

    public static KubeApiException Invalid(ResourceKind kind, string name, string why) =>
        new(422, "Invalid", $"{kind.Kind} \"{name}\" is invalid: {why}");
}
