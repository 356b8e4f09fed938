using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Alerts;
using Containment.Playbooks;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;
using Containment.Tests.Support;

namespace Containment.Tests.Playbooks;

public sealed class ShippedPlaybookTests
{
    /// <summary>The channels local.settings.sample.json configures.</summary>
    private static readonly PlaybookValidationContext SampleSettings = new()
    {
        Channels = new HashSet<string>(["soc-teams", "soc-email", "soc-oncall"], StringComparer.Ordinal),
    };

    public static TheoryData<string> ShippedFiles() =>
        [.. Directory.GetFiles(RepositoryRoot.Combine("playbooks"), "*.json")
            .Where(file => Path.GetFileName(file) != PlaybookLoader.SchemaFileName)
            .Select(file => Path.GetFileName(file))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Load_ShippedPlaybooks_AreAllValid()
    {
        var result = await PlaybookLoader.LoadAsync([RepositoryRoot.Combine("playbooks")], SampleSettings, CancellationToken.None);

        Assert.Empty(result.Problems);
        Assert.Equal(ShippedFiles().Count, result.Catalog.Playbooks.Count);
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void RoundTrip_ShippedPlaybook_SchemaAndModelAgree(string fileName)
    {
        var path = RepositoryRoot.Combine("playbooks", fileName);
        var original = PlaybookParser.Parse(path, File.ReadAllText(path), SampleSettings);
        Assert.True(original.IsValid, string.Join("\n", original.Problems));

        // The model written back out must satisfy the schema, and read back to the same model.
        var written = JsonSerializer.Serialize(original.Playbook, ContainmentJson.Indented);
        var reread = PlaybookParser.Parse(path, written, SampleSettings);

        Assert.Empty(reread.Problems);
        Assert.Equal(written, JsonSerializer.Serialize(reread.Playbook, ContainmentJson.Indented));
        Assert.True(JsonNode.DeepEquals(Normalize(File.ReadAllText(path)), Normalize(written)), $"{fileName} does not survive the model unchanged");
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedPlaybook_ReferencesTheSchema(string fileName)
    {
        var document = JsonNode.Parse(File.ReadAllText(RepositoryRoot.Combine("playbooks", fileName)))!;

        Assert.Equal("./playbook.schema.json", (string?)document["$schema"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)document["description"]));
    }

    [Theory]
    [InlineData(AlertCategory.ReverseShell, Severity.Low, "isolate-escape-reverse-shell")]
    [InlineData(AlertCategory.ContainerEscape, Severity.Informational, "isolate-escape-reverse-shell")]
    [InlineData(AlertCategory.CryptoMining, Severity.High, "isolate-mining-lateral-movement")]
    [InlineData(AlertCategory.LateralMovement, Severity.Critical, "isolate-mining-lateral-movement")]
    [InlineData(AlertCategory.CryptoMining, Severity.Medium, "notify-only")]
    [InlineData(AlertCategory.AbnormalProcess, Severity.Medium, "confirm-suspicious-activity")]
    [InlineData(AlertCategory.FileTampering, Severity.High, "confirm-suspicious-activity")]
    [InlineData(AlertCategory.HighRiskSyscall, Severity.Low, "notify-only")]
    [InlineData(AlertCategory.Malware, Severity.Low, "malware")]
    [InlineData(AlertCategory.Other, Severity.Critical, "notify-only")]
    public async Task Select_ShippedCatalog_CoversEveryCategory(AlertCategory category, Severity severity, string expected)
    {
        var result = await PlaybookLoader.LoadAsync([RepositoryRoot.Combine("playbooks")], SampleSettings, CancellationToken.None);
        var alert = new Alert
        {
            Id = "a",
            Source = "test",
            Category = category,
            Severity = severity,
            Time = DateTimeOffset.UnixEpoch,
            Target = new AlertTarget { Cluster = "c", Namespace = "n", Pod = "p" },
        };

        Assert.Equal(expected, result.Catalog.Select(alert)?.Name);
    }

    /// <summary>Values equal to the model's defaults may be written or left out; compare with them removed.</summary>
    private static JsonNode Normalize(string json)
    {
        var node = JsonNode.Parse(json)!;
        node.AsObject().Remove("$schema");
        Strip(node);
        return node;

        static void Strip(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var property in obj.ToList())
                    {
                        var isDefault = property.Value is JsonValue value && (property.Key, value.ToJsonString()) is
                            ("enabled", "true") or ("priority", "0") or ("markEventProcessed", "true") or ("allowPartial", "false")
                            or ("continueOnError", "false") or ("manual", "false") or ("minSeverity", "\"informational\"");
                        var emptyList = property.Value is JsonArray { Count: 0 } && property.Key is "approvers" or "categories";
                        if (isDefault || emptyList)
                        {
                            obj.Remove(property.Key);
                        }
                        else
                        {
                            Strip(property.Value);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Strip(item);
                    }

                    break;
            }
        }
    }
}
