namespace Containment.Alerts;

/// <summary>
/// Where in the request body an alert was read: its payload, and the fields its target's names came from, so a
/// problem with the alert points at the field to fix.
/// </summary>
public sealed record AlertPointers(string Payload, string Namespace, string Pod, string Container, string Node)
{
    /// <summary>Where the alert's id was read; the payload when no one field holds it.</summary>
    public string? Id { get; init; }

    /// <summary>Where the alert's source was read; the payload when the format names it.</summary>
    public string? Source { get; init; }

    /// <summary>Every name read at one place (an entity, a property bag).</summary>
    public static AlertPointers At(string payload, string names) => new(payload, names, names, names, names);
}
