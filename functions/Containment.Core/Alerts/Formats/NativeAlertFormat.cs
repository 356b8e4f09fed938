using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>The product's own <see cref="Alert"/> JSON (<see cref="ContainmentJson.Options"/>).</summary>
public sealed class NativeAlertFormat : IAlertFormat
{
    public string Name => "native";

    public bool CanRead(JsonElement payload) =>
        Json.Has(payload, nameof(Alert.Target)) && Json.Has(payload, nameof(Alert.Category)) && Json.Has(payload, nameof(Alert.Severity));

    public void Read(JsonElement payload, string pointer, AlertSink sink)
    {
        try
        {
            var alert = payload.Deserialize<Alert>(ContainmentJson.Options);
            if (alert is null)
            {
                sink.Problem(pointer, "the alert is null");
                return;
            }

            var target = JsonPointer.Append(pointer, "target");
            sink.Add(
                alert with { Raw = alert.Raw ?? payload.Clone() },
                new AlertPointers(pointer, JsonPointer.Append(target, "namespace"), JsonPointer.Append(target, "pod"), JsonPointer.Append(target, "container"), JsonPointer.Append(target, "node"))
                {
                    Id = JsonPointer.Append(pointer, "id"),
                    Source = JsonPointer.Append(pointer, "source"),
                });
        }
        catch (JsonException exception)
        {
            // The inner exception says why a value could not be read (invalid UTF-8, a number out of range).
            var why = exception.InnerException is { } inner ? $" ({inner.Message.TrimEnd('.')})" : string.Empty;
            sink.Problem(JsonPointer.FromJsonPath(pointer, exception.Path), $"not a valid alert: {JsonErrors.Describe(exception)}{why}");
        }
    }
}
