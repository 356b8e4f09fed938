using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace KubeSim;

/// <summary>Reads a Kubernetes <c>List</c> (or a single object) from JSON or YAML.</summary>
public static class SeedLoader
{
    public static IReadOnlyList<JsonObject> Parse(string text)
    {
        var trimmed = text.TrimStart();
        JsonNode? root = trimmed.StartsWith('{') || trimmed.StartsWith('[') ? JsonNode.Parse(text) : FromYaml(text);
        return root switch
        {
            JsonObject o when o["items"] is JsonArray items => items.OfType<JsonObject>().ToList(),
            JsonObject o => [o],
            JsonArray a => a.OfType<JsonObject>().ToList(),
            _ => [],
        };
    }

    private static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var documents = stream.Documents.Select(d => Convert(d.RootNode)).Where(n => n is not null).ToList();
        return documents.Count == 1 ? documents[0] : new JsonArray(documents.ToArray());
    }

    // Plain YAML scalars keep their YAML types (numbers, booleans, null); quoted ones stay strings.
    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value!] = Convert(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(Convert).ToArray());
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain)
                {
                    return JsonValue.Create(text);
                }

                if (text is "null" or "~" or "")
                {
                    return null;
                }

                if (text is "true" or "false")
                {
                    return JsonValue.Create(text == "true");
                }

                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    return JsonValue.Create(number);
                }

                return JsonValue.Create(text);
            default:
                return null;
        }
    }
}
