using System.Text.Json;

namespace Containment.Alerts;

/// <summary>
/// One alert format the intake recognises. Adding a format is one new class registered in
/// <see cref="AlertIntake"/>; envelopes (Event Grid, CloudEvents) hand their <c>data</c> to these formats.
/// </summary>
public interface IAlertFormat
{
    /// <summary>Short name, listed when no format recognises a payload.</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="payload"/> (one JSON object) looks like this format. Must not throw.</summary>
    bool CanRead(JsonElement payload);

    /// <summary>Reads alerts from <paramref name="payload"/>, reporting problems at pointers under <paramref name="pointer"/>.</summary>
    void Read(JsonElement payload, string pointer, AlertSink sink);
}
