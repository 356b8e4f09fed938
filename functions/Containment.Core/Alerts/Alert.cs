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
    /// Why there is nothing for a playbook to isolate, when the detector's own fields say so: the event names no pod (an
    /// event on a host, or about another kind of object), or reports a request the API server refused (a create that
    /// made no pod). Stored, with this as its reason, and acted on by no playbook. Read from the detector's own fields,
    /// never from the product's alert JSON, so no sender can have an alert dropped by saying so.
    /// </summary>
    [JsonIgnore]
    public string? NothingToIsolate { get; init; }

    /// <summary>The payload as the sender delivered it, kept for the record.</summary>
    public JsonElement? Raw { get; init; }
}
