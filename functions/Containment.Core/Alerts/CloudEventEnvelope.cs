using System.Text.Json;
using Azure.Messaging;

namespace Containment.Alerts;

/// <summary>
/// CloudEvents 1.0: structured mode (<c>application/cloudevents+json</c>), batches
/// (<c>application/cloudevents-batch+json</c> or a JSON array), parsed with <see cref="CloudEvent.ParseMany"/>;
/// and binary mode (<c>ce-*</c> headers, body = data), which Falcosidekick's cloudevents output posts.
/// </summary>
internal static class CloudEventEnvelope
{
    public const string Name = "cloud-events";

    public static bool IsBinaryMode(IEnumerable<KeyValuePair<string, string>>? headers) =>
        headers?.Any(h => string.Equals(h.Key, "ce-specversion", StringComparison.OrdinalIgnoreCase)) == true;

    public static bool IsStructured(string? contentType, JsonElement root) =>
        contentType?.TrimStart().StartsWith("application/cloudevents", StringComparison.OrdinalIgnoreCase) == true
        || HasSpecVersion(root)
        || (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 && HasSpecVersion(root[0]));

    public static SubscriptionValidation? Read(BinaryData body, JsonElement root, AlertSink sink, PayloadReader read)
    {
        CloudEvent[] events;
        try
        {
            // Relaxed: Falcosidekick sets an `event_source` extension, which strict parsing refuses for its '_'.
            // The required attributes are checked below instead.
            events = CloudEvent.ParseMany(body, skipValidation: true);
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            sink.Problem(string.Empty, $"not a valid CloudEvent: {exception.Message}");
            return null;
        }

        SubscriptionValidation? validation = null;
        var validationAt = string.Empty;
        var isArray = root.ValueKind == JsonValueKind.Array;
        for (var i = 0; i < events.Length; i++)
        {
            var cloudEvent = events[i];
            var at = isArray ? JsonPointer.Append(string.Empty, i) : string.Empty;
            var dataAt = JsonPointer.Append(at, "data");
            if (MissingAttribute(cloudEvent) is { } missing)
            {
                sink.Problem(at, $"the CloudEvent lacks its required attribute '{missing}'");
                continue;
            }

            if (cloudEvent.Data is null)
            {
                sink.Problem(at, $"CloudEvent {AlertProblem.Quote(cloudEvent.Id)} carries no data");
                continue;
            }

            if (!TryJson(cloudEvent.Data, out var data))
            {
                // Data sent as JSON always reads: data that does not came as data_base64, and the problem points there.
                sink.Problem(JsonPointer.Append(at, "data_base64"), $"the data of CloudEvent {AlertProblem.Quote(cloudEvent.Id)} is not JSON");
                continue;
            }

            if (string.Equals(cloudEvent.Type, SubscriptionValidation.EventType, StringComparison.OrdinalIgnoreCase))
            {
                // As in the Event Grid schema: a code that cannot be read is a problem, not a silent ignore.
                if (EventGridEnvelope.Validation(data) is { } found)
                {
                    (validation, validationAt) = (found, at);
                }
                else
                {
                    sink.Problem(dataAt, "the subscription-validation event has no validationCode");
                }

                continue;
            }

            read(data, dataAt, sink);
        }

        return SubscriptionValidation.Alone(validation, validationAt, events.Length, sink);
    }

    internal static bool TryJson(BinaryData data, out JsonElement element)
    {
        element = default;
        try
        {
            using var document = JsonDocument.Parse(data.ToMemory());
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? MissingAttribute(CloudEvent cloudEvent) =>
        string.IsNullOrEmpty(cloudEvent.Id) ? "id"
        : string.IsNullOrEmpty(cloudEvent.Source) ? "source"
        : string.IsNullOrEmpty(cloudEvent.Type) ? "type"
        : null;

    private static bool HasSpecVersion(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && Json.Has(element, "specversion");
}
