using System.Text.Json.Nodes;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;
using Containment.Tests.Support;
using Xunit.Abstractions;

namespace Containment.Tests.Playbooks;

/// <summary>
/// Every shipped playbook with one value changed at a time (<see cref="JsonMutations"/>): the parser never throws,
/// and it either takes the playbook or says what is wrong, in which file and at a place in it.
/// </summary>
public sealed class PlaybookMutationTests(ITestOutputHelper output)
{
    private static readonly string[] Replacements = [.. JsonMutations.Hostile, "\"PT0S\"", "\"-PT1M\"", "\"P9999999D\"", "\"banana\"", "99999999999"];

    [Fact]
    public void EveryOneValueChange_ParsedWithoutThrowing_ProblemsSayWhereInTheFile()
    {
        var context = new PlaybookValidationContext
        {
            Channels = new HashSet<string>(["soc-teams", "soc-email", "soc-oncall"], StringComparer.OrdinalIgnoreCase),
            Approvers = new HashSet<string>(["soc-leads"], StringComparer.OrdinalIgnoreCase),
        };
        var findings = new List<string>();
        var variants = 0;
        foreach (var file in Directory.GetFiles(RepositoryRoot.Combine("playbooks"), "*.json").Where(file => !file.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            foreach (var (pointer, change, variant) in JsonMutations.Of(JsonNode.Parse(File.ReadAllText(file))!, Replacements))
            {
                variants++;
                findings.AddRange(Check(file, variant, context).Select(finding => $"{Path.GetFileName(file)} {pointer} {change}: {finding}"));
            }
        }

        output.WriteLine($"{variants} variants parsed");
        findings.Take(40).ToList().ForEach(output.WriteLine);
        Assert.True(variants > 1_000, $"only {variants} variants: the playbooks were not found");
        Assert.Empty(findings);
    }

    private static IEnumerable<string> Check(string file, JsonNode variant, PlaybookValidationContext context)
    {
        PlaybookParseResult result;
        try
        {
            result = PlaybookParser.Parse(file, variant.ToJsonString(), context);
        }
        catch (Exception exception)
        {
            return [$"threw {exception.GetType().Name}: {exception.Message}"];
        }

        if (result.Playbook is null && result.Problems.Count == 0)
        {
            return ["neither a playbook nor a problem"];
        }

        return result.Problems.SelectMany(problem => Unplaced(file, variant, problem));
    }

    private static IEnumerable<string> Unplaced(string file, JsonNode body, PlaybookProblem problem)
    {
        if (problem.File != file)
        {
            yield return $"'{problem.Message}' names file '{problem.File}'";
        }

        if (string.IsNullOrWhiteSpace(problem.Message))
        {
            yield return $"a problem at '{problem.Pointer}' that says nothing";
        }

        var pointer = problem.Pointer == JsonPointer.Root ? string.Empty : problem.Pointer;
        if (!JsonMutations.Resolves(body, pointer))
        {
            yield return $"'{problem.Message}' at '{problem.Pointer}', which is not in the file";
        }
    }
}
