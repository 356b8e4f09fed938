using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;

namespace Containment;

/// <summary>
/// Durations on the wire are ISO 8601 (<c>PT30M</c>, <c>P1DT2H</c>). Years and months are refused: they
/// have no fixed length.
/// </summary>
public sealed class Iso8601DurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return TryParse(text, out var duration)
            ? duration
            : throw new JsonException($"'{text}' is not an ISO 8601 duration such as PT30M or P1DT2H");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(TimeSpan value) => XmlConvert.ToString(value);

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text) || text[0] != 'P' || text.Contains('Y', StringComparison.Ordinal)
            || text.AsSpan(0, text.IndexOf('T') < 0 ? text.Length : text.IndexOf('T')).Contains('M'))
        {
            return false;
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
