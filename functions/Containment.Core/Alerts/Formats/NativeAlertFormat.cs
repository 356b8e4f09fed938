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

            sink.Add(alert with { Raw = alert.Raw ?? payload.Clone() });
        }
        catch (JsonException exception)
        {
            sink.Problem(JsonPointer.FromJsonPath(pointer, exception.Path), $"not a valid alert: {exception.Message}");
        }
    }
}
