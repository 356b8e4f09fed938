namespace Containment.Alerts;

/// <summary>
/// What the intake made of one request body: the alerts it holds and the problems that kept parts of it
/// from becoming alerts. A batch may yield both; a subscription-validation handshake yields neither.
/// </summary>
public sealed record IntakeResult
{
    public IReadOnlyList<Alert> Alerts { get; init; } = [];

    public IReadOnlyList<AlertProblem> Problems { get; init; } = [];

    /// <summary>Set when the body is an Event Grid subscription-validation event: not an alert but a handshake.</summary>
    public SubscriptionValidation? Validation { get; init; }

    /// <summary>True when every part of the body was read: no problems.</summary>
    public bool Succeeded => Problems.Count == 0;
}
