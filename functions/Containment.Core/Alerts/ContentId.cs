using System.Security.Cryptography;
using System.Text.Json;

namespace Containment.Alerts;

/// <summary>
/// A stable id for payloads that carry none: SHA-256 of the payload re-written compactly, so the same event
/// delivered twice (at-least-once delivery) gets the same id, whatever its whitespace.
/// </summary>
internal static class ContentId
{
    public static string Of(string prefix, JsonElement payload)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            payload.WriteTo(writer);
        }

        var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return $"{prefix}-{Convert.ToHexStringLower(hash)[..32]}";
    }
}
