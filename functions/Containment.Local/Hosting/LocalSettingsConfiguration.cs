using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Containment.Local.Hosting;

/// <summary>
/// Reads <c>local.settings.json</c> the way the Functions host does: the <c>Values</c> object, with <c>__</c>
/// separating sections (<c>Containment__Api__Key</c> is <c>Containment:Api:Key</c>). Keys starting with
/// <c>_</c> are comments.
/// </summary>
public static class LocalSettingsConfiguration
{
    public static IConfigurationBuilder AddLocalSettingsFile(this IConfigurationBuilder builder, string path, bool optional)
    {
        if (!File.Exists(path))
        {
            return optional ? builder : throw new FileNotFoundException($"settings file {path} does not exist; copy local.settings.sample.json to start one", path);
        }

        return builder.AddInMemoryCollection(Read(path));
    }

    /// <exception cref="SettingsFileException">The file is not JSON, or has no <c>Values</c> object: the message names the file and the place.</exception>
    public static IReadOnlyDictionary<string, string?> Read(string path)
    {
        using var document = Parse(path);
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            throw new SettingsFileException($"{path}: expected an object \"Values\" holding the settings, as in local.settings.sample.json");
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in values.EnumerateObject().Where(property => !property.Name.StartsWith('_')))
        {
            settings[property.Name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Null => null,
                _ => property.Value.GetRawText(),
            };
        }

        return settings;
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            // The reader counts lines and bytes from 0; editors count from 1.
            var line = exception.LineNumber + 1;
            var column = exception.BytePositionInLine + 1;
            throw new SettingsFileException($"{path}:{line}:{column}: not valid JSON ({JsonErrors.Describe(exception)})", exception);
        }
    }
}
