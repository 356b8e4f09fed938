using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Alerts;
using Xunit.Abstractions;

namespace Containment.Tests.Alerts;

/// <summary>
/// Every recorded payload with one field changed at a time (removed, or given another type or a hostile value):
/// the intake never throws, every alert it takes has an id and a source that can key its event, and every problem
/// says something at a place in the body.
/// </summary>
public sealed class IntakeMutationTests(ITestOutputHelper output)
{
    private static readonly string[] Replacements =
    [
        "null", "true", "0", "-1", "1.5", "1e400", "18446744073709551616", "\"\"", "\" \"", "\"../../etc/passwd\"",
        "\"\\u0000\"", "\"line\\r\\nX-Injected: yes\"", "\"<script>alert(1)</script>\"", "\"2026-13-45T99:99:99Z\"",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "[]", "{}", "[1]", "{\"$ref\": \"nowhere\"}",
    ];

    [Fact]
    public void EveryOneFieldChange_ReadWithoutThrowing_AlertsKeyedAndProblemsPointIntoTheBody()
    {
        var findings = new List<string>();
        var variants = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads"), "*.json"))
        {
            var original = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var path in Paths(original, string.Empty))
            {
                foreach (var (change, variant) in Variants(original, path))
                {
                    variants++;
                    foreach (var finding in Check(variant))
                    {
                        findings.Add($"{Path.GetFileName(file)} {path} {change}: {finding}");
                    }
                }
            }
        }

        output.WriteLine($"{variants} variants read");
        Assert.True(variants > 10_000, $"only {variants} variants: the payloads were not found");
        Assert.Empty(findings);
    }

    private static IEnumerable<string> Check(JsonNode variant)
    {
        IntakeResult result;
        try
        {
            result = AlertIntake.Default.Read(BinaryData.FromString(variant.ToJsonString()), "application/json");
        }
        catch (Exception exception)
        {
            return [$"threw {exception.GetType().Name}: {exception.Message}"];
        }

        return result.Alerts.SelectMany(Unkeyed).Concat(result.Problems.SelectMany(problem => Unplaced(variant, problem)));
    }

    private static IEnumerable<string> Unkeyed(Alert alert)
    {
        if (string.IsNullOrWhiteSpace(alert.Id) || alert.Id.Any(char.IsControl))
        {
            yield return $"an alert with id '{alert.Id}'";
        }

        if (string.IsNullOrWhiteSpace(alert.Source) || alert.Source.Any(char.IsControl))
        {
            yield return $"an alert with source '{alert.Source}'";
        }
    }

    private static IEnumerable<string> Unplaced(JsonNode body, AlertProblem problem)
    {
        if (string.IsNullOrWhiteSpace(problem.Message))
        {
            yield return $"a problem at '{problem.Pointer}' that says nothing";
        }

        if (!Resolves(body, problem.Pointer))
        {
            yield return $"'{problem.Message}' at '{problem.Pointer}', which is not in the body";
        }
    }

    /// <summary>Whether the pointer names a value in the body, a missing member of an object in it, or a value in a JSON document a string of it carries.</summary>
    private static bool Resolves(JsonNode root, string pointer)
    {
        var node = (JsonNode?)root;
        var tokens = Tokens(pointer);
        for (var index = 0; index < tokens.Length; index++)
        {
            switch (node)
            {
                case JsonObject members when members.TryGetPropertyValue(tokens[index], out var member):
                    node = member;
                    break;
                case JsonObject when index == tokens.Length - 1:
                    return true;
                case JsonArray items when int.TryParse(tokens[index], CultureInfo.InvariantCulture, out var at) && at < items.Count:
                    node = items[at];
                    break;
                case JsonValue value when value.TryGetValue<string>(out var text) && ParsedOrNull(text) is { } carried:
                    node = carried;
                    index--;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static JsonNode? ParsedOrNull(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Paths(JsonNode? node, string at)
    {
        var children = node switch
        {
            JsonObject members => members.Select(member => (Pointer: $"{at}/{member.Key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}", Node: member.Value)),
            JsonArray items => items.Select((item, index) => (Pointer: $"{at}/{index}", Node: item)),
            _ => [],
        };

        foreach (var (pointer, child) in children.ToList())
        {
            yield return pointer;
            foreach (var below in Paths(child, pointer))
            {
                yield return below;
            }
        }
    }

    private static IEnumerable<(string Change, JsonNode Variant)> Variants(JsonNode original, string path)
    {
        var removed = original.DeepClone();
        var (parent, key) = Parent(removed, path);
        if (parent is JsonObject members)
        {
            members.Remove(key);
        }
        else
        {
            parent.AsArray().RemoveAt(int.Parse(key, CultureInfo.InvariantCulture));
        }

        yield return ("removed", removed);

        foreach (var replacement in Replacements)
        {
            var changed = original.DeepClone();
            var (into, name) = Parent(changed, path);
            var value = JsonNode.Parse(replacement);
            if (into is JsonObject fields)
            {
                fields[name] = value;
            }
            else
            {
                into.AsArray()[int.Parse(name, CultureInfo.InvariantCulture)] = value;
            }

            yield return ($"= {replacement}", changed);
        }
    }

    private static (JsonNode Parent, string Key) Parent(JsonNode root, string path)
    {
        var tokens = Tokens(path);
        var node = root;
        foreach (var token in tokens[..^1])
        {
            node = node is JsonArray items ? items[int.Parse(token, CultureInfo.InvariantCulture)]! : node[token]!;
        }

        return (node, tokens[^1]);
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer[1..].Split('/').Select(token => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
}
