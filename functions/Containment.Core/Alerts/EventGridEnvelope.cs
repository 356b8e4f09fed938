using System.Text.Json;
using Azure.Messaging.EventGrid;

namespace Containment.Alerts;

/// <summary>
/// Event Grid schema deliveries (one event or an array), parsed with <see cref="EventGridEvent.ParseMany"/>.
/// The subscription-validation event is surfaced as a <see cref="SubscriptionValidation"/>, not an alert.
/// </summary>
internal static class EventGridEnvelope
{
    public const string Name = "event-grid";

    public static bool IsEventGrid(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Object => IsEvent(root),
        JsonValueKind.Array => root.GetArrayLength() > 0 && IsEvent(root[0]),
        _ => false,
    };

    public static SubscriptionValidation? Read(BinaryData body, JsonElement root, AlertSink sink, PayloadReader read)
    {
        EventGridEvent[] events;
        try
        {
            events = EventGridEvent.ParseMany(body);
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            sink.Problem(string.Empty, $"not a valid Event Grid event: {exception.Message}");
            return null;
        }

        SubscriptionValidation? validation = null;
        var validationAt = string.Empty;
        var isArray = root.ValueKind == JsonValueKind.Array;
        for (var i = 0; i < events.Length; i++)
        {
            var gridEvent = events[i];
            var at = isArray ? JsonPointer.Append(string.Empty, i) : string.Empty;
            if (string.Equals(gridEvent.EventType, SubscriptionValidation.EventType, StringComparison.OrdinalIgnoreCase))
            {
                // The SDK knows this system event; a code it cannot read is a problem, not a silent ignore.
                if (gridEvent.TryGetSystemEventData(out var system) && system is Azure.Messaging.EventGrid.SystemEvents.SubscriptionValidationEventData data
                    && data.ValidationCode is { Length: > 0 })
                {
                    (validation, validationAt) = (new SubscriptionValidation(data.ValidationCode, data.ValidationUrl), at);
                }
                else
                {
                    sink.Problem(JsonPointer.Append(at, "data"), "the subscription-validation event has no validationCode");
                }

                continue;
            }

            if (!CloudEventEnvelope.TryJson(gridEvent.Data, out var payload))
            {
                sink.Problem(JsonPointer.Append(at, "data"), $"the data of Event Grid event {AlertProblem.Quote(gridEvent.Id)} is not JSON");
                continue;
            }

            read(payload, JsonPointer.Append(at, "data"), sink);
        }

        return SubscriptionValidation.Alone(validation, validationAt, events.Length, sink);
    }

    /// <summary>A validation code in the data of a subscription-validation event, when present.</summary>
    internal static SubscriptionValidation? Validation(JsonElement data) =>
        Json.String(data, "validationCode") is { } code ? new SubscriptionValidation(code, Json.String(data, "validationUrl")) : null;

    private static bool IsEvent(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && Json.Has(element, "eventType") && Json.Has(element, "dataVersion");
}
