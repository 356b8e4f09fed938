using System.Text.Json.Nodes;
using Containment.Alerts;
using Containment.Tests.Support;
using Xunit.Abstractions;

namespace Containment.Tests.Alerts;

/// <summary>
/// Every recorded payload with one field changed at a time (<see cref="JsonMutations"/>): the intake never throws,
/// every alert it takes has an id and a source that can key its event, and every problem says something at a place
/// in the body.
/// </summary>
public sealed class IntakeMutationTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryOneFieldChange_ReadWithoutThrowing_AlertsKeyedAndProblemsPointIntoTheBody()
    {
        var findings = new List<string>();
        var variants = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Alerts", "Payloads"), "*.json"))
        {
            foreach (var (pointer, change, variant) in JsonMutations.Of(JsonNode.Parse(File.ReadAllText(file))!, JsonMutations.Hostile))
            {
                variants++;
                findings.AddRange(Check(variant).Select(finding => $"{Path.GetFileName(file)} {pointer} {change}: {finding}"));
            }
        }

        output.WriteLine($"{variants} variants read");
        findings.Take(40).ToList().ForEach(output.WriteLine);
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

        if (!JsonMutations.Resolves(body, problem.Pointer))
        {
            yield return $"'{problem.Message}' at '{problem.Pointer}', which is not in the body";
        }
    }
}
