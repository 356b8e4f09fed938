namespace Containment.Alerts;

/// <summary>
/// An Event Grid subscription-validation event. The HTTP layer answers it with
/// <c>{"validationResponse": ValidationCode}</c>, or by visiting <see cref="ValidationUrl"/> when it is given.
/// </summary>
public sealed record SubscriptionValidation(string ValidationCode, string? ValidationUrl = null)
{
    /// <summary>The event type Event Grid uses for the handshake.</summary>
    public const string EventType = "Microsoft.EventGrid.SubscriptionValidationEvent";

    /// <summary>
    /// The validation found in a delivery of <paramref name="events"/> events, when it came alone. Event Grid sends the
    /// handshake by itself; answered beside other events, those would be acknowledged and never stored, so such a
    /// delivery is a problem at the validation event instead.
    /// </summary>
    internal static SubscriptionValidation? Alone(SubscriptionValidation? validation, string at, int events, AlertSink sink)
    {
        if (validation is null || events == 1)
        {
            return validation;
        }

        sink.Problem(at, $"a subscription-validation event comes alone in its delivery; this one holds {events} events");
        return null;
    }
}
