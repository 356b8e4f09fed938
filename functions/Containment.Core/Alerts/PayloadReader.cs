using System.Text.Json;

namespace Containment.Alerts;

/// <summary>Hands an envelope's data, at its pointer, to the format dispatch.</summary>
internal delegate void PayloadReader(JsonElement payload, string pointer, AlertSink sink);
