namespace Containment.Alerts;

/// <summary>
/// An Event Grid subscription-validation event. The HTTP layer answers it with
/// <c>{"validationResponse": ValidationCode}</c>, or by visiting <see cref="ValidationUrl"/> when it is given.
/// </summary>
public sealed record SubscriptionValidation(string ValidationCode, string? ValidationUrl = null)
{
    /// <summary>The event type Event Grid uses for the handshake.</summary>
    public const string EventType = "Microsoft.EventGrid.SubscriptionValidationEvent";
}
