using System.Globalization;
using System.Text.Json;

namespace Containment.Alerts;

/// <summary>
/// Case-insensitive reads over <see cref="JsonElement"/>: senders spell the same field <c>alertType</c>,
/// <c>AlertType</c> or <c>alerttype</c>, so names are never matched exactly.
/// </summary>
internal static class Json
{
    public static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            // Exact match first (cheap, and wins over a differently cased duplicate).
            if (element.TryGetProperty(name, out value))
            {
                return true;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>The first of <paramref name="names"/> present (and not null), with the name actually found.</summary>
    public static bool TryGetAny(JsonElement element, out JsonElement value, out string foundName, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (TryGet(element, name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                foundName = name;
                return true;
            }
        }

        value = default;
        foundName = string.Empty;
        return false;
    }

    public static bool Has(JsonElement element, string name) => TryGet(element, name, out _);

    /// <summary>A string (or a number or boolean, as text) from the first of <paramref name="names"/> that holds one.</summary>
    public static string? String(JsonElement element, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (TryGet(element, name, out var value))
            {
                var text = AsText(value);
                if (!string.IsNullOrWhiteSpace(text))
                {
                    return text;
                }
            }
        }

        return null;
    }

    public static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    public static DateTimeOffset? Time(JsonElement element, params ReadOnlySpan<string> names)
    {
        var text = String(element, names);
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
    }

    /// <summary>
    /// An object or array that a sender may also deliver as a JSON string (Sentinel's SecurityAlert table
    /// stores <c>Entities</c> and <c>ExtendedProperties</c> that way). Null when absent or unreadable.
    /// </summary>
    public static JsonElement? Structured(JsonElement element, string name, out string? error)
    {
        error = null;
        if (!TryGet(element, name, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            return value;
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.Clone();
            }
            catch (JsonException exception)
            {
                error = $"{name} holds a string that is not JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})";
                return null;
            }
        }

        return null;
    }
}
