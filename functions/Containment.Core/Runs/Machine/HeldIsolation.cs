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
            if (ChangesNetwork(step) && step.Outcome != StepOutcome.Skipped)
            {
                return step is { Type: IsolateStep.TypeName, Outcome: StepOutcome.Succeeded } ? step : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a step that changes the pod's network (an isolation, a release, a pod deletion) is under way: begun and
    /// stored, its record not yet written.
    /// </summary>
    public static bool ChangingNetwork(IReadOnlyList<StepRecord> history) =>
        history is [.., { Outcome: StepOutcome.Running } last] && ChangesNetwork(last);

    private static bool ChangesNetwork(StepRecord step) => step.Type is IsolateStep.TypeName or ReleaseStep.TypeName or DeletePodStep.TypeName;

    /// <summary>
    /// What the held isolation could not guarantee, as its outcome said (connections established before it kept by
    /// Calico, say): messages telling that the pod is isolated pass these on.
    /// </summary>
    public static IReadOnlyList<string> WarningsOf(IReadOnlyList<StepRecord> history) =>
        Of(history)?.Outputs is { } outputs
            ? [.. outputs.SelectMany(Warnings).Distinct(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// Who owned the pod when an isolation of the run took it out of its labels, as the latest that says tells it
    /// (one that found the pod quarantined already cannot); null when none does. Held or released since alike.
    /// </summary>
    public static PodOwnership? OwnershipOf(IReadOnlyList<StepRecord> history)
    {
        for (var index = history.Count - 1; index >= 0; index--)
        {
            if (history[index] is { Type: IsolateStep.TypeName, Outcome: StepOutcome.Succeeded, Outputs: { } outputs }
                && outputs.Select(Ownership).FirstOrDefault(ownership => ownership is not null) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static PodOwnership? Ownership(JsonElement outcome)
    {
        if (outcome.ValueKind != JsonValueKind.Object || !outcome.TryGetProperty(OwnershipName, out var ownership) || ownership.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!ownership.TryGetProperty(ControllerName, out var controller) || controller.ValueKind == JsonValueKind.Null)
        {
            return new PodOwnership(null);
        }

        return controller.ValueKind == JsonValueKind.Object
            && controller.TryGetProperty(KindName, out var kind) && kind.ValueKind == JsonValueKind.String
            && controller.TryGetProperty(ControllerNameName, out var name) && name.ValueKind == JsonValueKind.String
                ? new PodOwnership(new PodController(kind.GetString()!, name.GetString()!))
                : null;
    }

    // Read element by element, so that no output, however shaped, stops the run.
    private static IEnumerable<string> Warnings(JsonElement outcome) =>
        outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty(WarningsName, out var warnings) && warnings.ValueKind == JsonValueKind.Array
            ? warnings.EnumerateArray()
                .Where(warning => warning.ValueKind == JsonValueKind.Object && !Informational(warning))
                .Select(warning => warning.TryGetProperty(MessageName, out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null)
                .OfType<string>()
            : [];

    // A Cilium policy that is not enforced beside an enforced deny-all leaves nothing open; every other kind may (an
    // unknown kind is passed on).
    private static bool Informational(JsonElement warning) =>
        warning.TryGetProperty(KindName, out var kind) && kind.ValueKind == JsonValueKind.String
        && kind.GetString() == KebabCaseEnumConverter.ToWireName(IsolationWarningKind.CiliumPolicyBestEffort);

    private static readonly string WarningsName = JsonName(nameof(IsolationOutcome.Warnings));

    private static readonly string KindName = JsonName(nameof(IsolationWarning.Kind));

    private static readonly string OwnershipName = JsonName(nameof(IsolationOutcome.Ownership));

    private static readonly string ControllerName = JsonName(nameof(PodOwnership.Controller));

    private static readonly string ControllerNameName = JsonName(nameof(PodController.Name));

    private static readonly string MessageName = JsonName(nameof(IsolationWarning.Message));

    private static string JsonName(string property) => ContainmentJson.Options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
