using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containment;

/// <summary>
/// Writes enums as kebab-case (<c>container-escape</c>) and reads them in any casing or separator style
/// (<c>Container-Escape</c>, <c>ContainerEscape</c>, <c>container_escape</c>), because senders differ.
/// Numbers are refused: an enum on the wire is always a name.
/// </summary>
public sealed class KebabCaseEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(EnumConverter<>).MakeGenericType(typeToConvert))!;

    /// <summary>The kebab-case wire name of an enum value.</summary>
    public static string ToWireName<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Parses a wire name in any casing or separator style.</summary>
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum => EnumConverter<TEnum>.TryParseName(text, out value);

    private sealed class EnumConverter<TEnum> : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        private static readonly FrozenDictionary<string, TEnum> ByFoldedName = Enum.GetValues<TEnum>()
            .ToFrozenDictionary(value => Fold(value.ToString()), value => value, StringComparer.OrdinalIgnoreCase);

        private static readonly FrozenDictionary<TEnum, string> WireNames = Enum.GetValues<TEnum>()
            .ToFrozenDictionary(value => value, value => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString()));

        public static bool TryParseName(string? text, out TEnum value)
        {
            value = default;
            return text is not null && ByFoldedName.TryGetValue(Fold(text), out value);
        }

        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"expected one of {string.Join(", ", WireNames.Values)} as a string");
            }

            var text = reader.GetString();
            return TryParseName(text, out var value)
                ? value
                : throw new JsonException($"'{text}' is not one of {string.Join(", ", WireNames.Values)}");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
            writer.WriteStringValue(WireNames.TryGetValue(value, out var name) ? name : value.ToString());

        public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
            writer.WritePropertyName(WireNames.TryGetValue(value, out var name) ? name : value.ToString());

        private static string Fold(string text) => text.Replace("-", string.Empty, StringComparison.Ordinal)
            .Replace("_", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
    }
}
