namespace Containment.Ledger;

/// <summary>A payload that could not be read, kept with the reason so that nothing a sender delivered is lost.</summary>
public sealed record PoisonRecord
{
    public required string Id { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The route or trigger that received it.</summary>
    public required string Receiver { get; init; }

    public string? ContentType { get; init; }

    public required string Reason { get; init; }

    /// <summary>The body as text, cut to what a table property holds.</summary>
    public required string Body { get; init; }

    public bool BodyTruncated { get; init; }
}
