namespace Containment.Api;

/// <summary>An HTTP request as both hosts hand it to the handlers: no hosting framework types.</summary>
public sealed record ApiRequest
{
    public required string Method { get; init; }

    /// <summary>The host's own base address (scheme, host, port), for the URLs responses give out.</summary>
    public required Uri BaseUri { get; init; }

    public IReadOnlyDictionary<string, string> RouteValues { get; init; } = new Dictionary<string, string>();

    /// <summary>Query values by name, compared without case.</summary>
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Header values by name, compared without case; repeated headers joined with commas.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public string? ContentType { get; init; }

    public BinaryData Body { get; init; } = BinaryData.Empty;

    /// <summary>True when the body was longer than the host reads; it was not read in full.</summary>
    public bool BodyTooLarge { get; init; }

    /// <summary>The most bytes of a body the host reads (<see cref="ApiOptions.MaxBodyBytes"/>), for the 413 to say.</summary>
    public int MaxBodyBytes { get; init; } = new ApiOptions().MaxBodyBytes;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string Route(string name) => RouteValues.TryGetValue(name, out var value) ? value : string.Empty;
}
