using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containment;

/// <summary>
/// The one JSON convention of the product's own documents (playbooks, the native alert, the API, stored
/// state): camelCase names, enums as kebab-case strings, durations in ISO 8601, names matched without regard to case on read.
/// </summary>
public static class ContainmentJson
{
    public static JsonSerializerOptions Options { get; } = Create(writeIndented: false);

    public static JsonSerializerOptions Indented { get; } = Create(writeIndented: true);

    private static JsonSerializerOptions Create(bool writeIndented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = writeIndented,

            // Readable output (apostrophes, non-ASCII names); HTML pages escape for themselves.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowOutOfOrderMetadataProperties = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new KebabCaseEnumConverter());
        options.Converters.Add(new Iso8601DurationConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
