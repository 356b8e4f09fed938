using System.Text.Json;

namespace Containment.Tests.Notifications;

internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement;
}
