using System.Text.Json;
using Containment.Alerts.Formats;

namespace Containment.Alerts;

/// <summary>
/// Reads a request body in any supported format into alerts. Envelopes first (CloudEvents binary mode by its
/// <c>ce-*</c> headers, CloudEvents structured or batched, Event Grid events), then each payload goes to the
/// first <see cref="IAlertFormat"/> that recognises it. Bad input never throws: it becomes problems with
/// JSON pointers. Size limits are the HTTP layer's.
/// </summary>
public sealed class AlertIntake
{
    public AlertIntake(IEnumerable<IAlertFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        Formats = [.. formats];
    }

    /// <summary>Every built-in format, most specific first.</summary>
    public static AlertIntake Default { get; } = new(
        [new NativeAlertFormat(), new SentinelIncidentFormat(), new DefenderAlertFormat(), new FalcoAlertFormat()]);

    public IReadOnlyList<IAlertFormat> Formats { get; }

    /// <summary>
    /// Reads <paramref name="body"/>. <paramref name="contentType"/> and <paramref name="headers"/> (names in
    /// any case) decide the CloudEvents mode; everything else is detected from the content.
    /// </summary>
    public IntakeResult Read(BinaryData body, string? contentType = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var sink = new AlertSink();
        SubscriptionValidation? validation = null;

        if (!TryParse(body, sink, out var root))
        {
            return Result(sink, validation);
        }

        if (CloudEventEnvelope.IsBinaryMode(headers))
        {
            // Binary mode: the attributes are headers and the body is the event's data.
            DispatchMany(root, string.Empty, sink);
        }
        else if (CloudEventEnvelope.IsStructured(contentType, root))
        {
            validation = CloudEventEnvelope.Read(body, root, sink, DispatchMany);
        }
        else if (EventGridEnvelope.IsEventGrid(root))
        {
            validation = EventGridEnvelope.Read(body, root, sink, DispatchMany);
        }
        else
        {
            DispatchMany(root, string.Empty, sink);
        }

        return Result(sink, validation);
    }

    /// <summary>
    /// Reads a payload that may hold several alerts: an array, or an ARM list (<c>{"value": [...]}</c>, as the
    /// Defender alerts API returns), each item with the first format that recognises it.
    /// </summary>
    internal void DispatchMany(JsonElement payload, string pointer, AlertSink sink)
    {
        if (payload.ValueKind == JsonValueKind.Object && payload.GetPropertyCount() == 1
            && Json.TryGet(payload, "value", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            DispatchMany(list, JsonPointer.Append(pointer, payload.EnumerateObject().First().Name), sink);
            return;
        }

        if (payload.ValueKind != JsonValueKind.Array)
        {
            Dispatch(payload, pointer, sink);
            return;
        }

        var index = 0;
        foreach (var item in payload.EnumerateArray())
        {
            Dispatch(item, JsonPointer.Append(pointer, index++), sink);
        }
    }

    /// <summary>Reads one payload with the first format that recognises it.</summary>
    internal void Dispatch(JsonElement payload, string pointer, AlertSink sink)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            sink.Problem(pointer, $"expected an alert object, found {payload.ValueKind.ToString().ToUpperInvariant()}");
            return;
        }

        var format = Formats.FirstOrDefault(f => f.CanRead(payload));
        if (format is null)
        {
            var tried = string.Join(", ", Formats.Select(f => f.Name).Prepend(CloudEventEnvelope.Name).Prepend(EventGridEnvelope.Name));
            sink.Problem(pointer, $"unrecognised alert format (tried: {tried})");
            return;
        }

        format.Read(payload, pointer, sink);
    }

    private static bool TryParse(BinaryData body, AlertSink sink, out JsonElement root)
    {
        root = default;
        if (body.ToMemory().IsEmpty)
        {
            sink.Problem(string.Empty, "the body is empty");
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            root = document.RootElement.Clone();
            return true;
        }
        catch (JsonException exception)
        {
            sink.Problem(string.Empty,
                $"malformed JSON at line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1} of that line");
            return false;
        }
    }

    private static IntakeResult Result(AlertSink sink, SubscriptionValidation? validation) =>
        new() { Alerts = sink.Alerts, Problems = sink.Problems, Validation = validation };
}
