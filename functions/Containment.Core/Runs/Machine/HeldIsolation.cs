using System.Text.Json;
using Containment.Isolation;
using Containment.Playbooks;

namespace Containment.Runs.Machine;

/// <summary>The isolation a run holds, read from its history: its last step that changed the pod's network.</summary>
public static class HeldIsolation
{
    /// <summary>The run's isolate step that succeeded, when no release or pod deletion has begun since; null otherwise.</summary>
    public static StepRecord? Of(IReadOnlyList<StepRecord> history)
    {
        for (var index = history.Count - 1; index >= 0; index--)
        {
            var step = history[index];
            if (step.Type is IsolateStep.TypeName or ReleaseStep.TypeName or DeletePodStep.TypeName && step.Outcome != StepOutcome.Skipped)
            {
                return step is { Type: IsolateStep.TypeName, Outcome: StepOutcome.Succeeded } ? step : null;
            }
        }

        return null;
    }

    /// <summary>
    /// What the held isolation could not guarantee, as its outcome said (connections established before it kept by
    /// Calico, say): messages telling that the pod is isolated pass these on.
    /// </summary>
    public static IReadOnlyList<string> WarningsOf(IReadOnlyList<StepRecord> history) =>
        Of(history)?.Outputs is { } outputs
            ? [.. outputs.SelectMany(Warnings).Distinct(StringComparer.Ordinal)]
            : [];

    // Read element by element, so that no output, however shaped, stops the run.
    private static IEnumerable<string> Warnings(JsonElement outcome) =>
        outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty(WarningsName, out var warnings) && warnings.ValueKind == JsonValueKind.Array
            ? warnings.EnumerateArray()
                .Select(warning => warning.ValueKind == JsonValueKind.Object && warning.TryGetProperty(MessageName, out var message) && message.ValueKind == JsonValueKind.String
                    ? message.GetString()
                    : null)
                .OfType<string>()
            : [];

    private static readonly string WarningsName = JsonName(nameof(IsolationOutcome.Warnings));

    private static readonly string MessageName = JsonName(nameof(IsolationWarning.Message));

    private static string JsonName(string property) => ContainmentJson.Options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
