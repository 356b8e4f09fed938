using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containment.Alerts;

/// <summary>One security event from a detector, normalised whatever format it arrived in.</summary>
public sealed record Alert
{
    /// <summary>The detector's own id for the event (Defender <c>systemAlertId</c>, Falco <c>uuid</c>, ...).</summary>
    public required string Id { get; init; }

    /// <summary>Which detector or format it came from, for example <c>defender</c>, <c>falco</c>, <c>sentinel</c>.</summary>
    public required string Source { get; init; }

    public required AlertCategory Category { get; init; }

    public required Severity Severity { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required AlertTarget Target { get; init; }

    public string Title { get; init; } = string.Empty;

    public string? Description { get; init; }

    /// <summary>The detector's rule or alert type (<c>K8S.NODE_ReverseShell</c>, <c>Terminal shell in container</c>).</summary>
    public string? Rule { get; init; }

    /// <summary>
    /// Why the request the alert reports changed nothing, when the detector says so: a Kubernetes audit event of a
    /// request the API server refused (a create that made no pod, an exec that never ran). Stored, and acted on by no
    /// playbook. Read from the detector's own fields, never from the product's alert JSON, so no sender can have an
    /// alert dropped by saying so; the event's reason keeps it.
    /// </summary>
    [JsonIgnore]
    public string? Refused { get; init; }

    /// <summary>The payload as the sender delivered it, kept for the record.</summary>
    public JsonElement? Raw { get; init; }
}
