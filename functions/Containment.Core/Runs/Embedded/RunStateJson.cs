using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Containment.Activities;
using Containment.Playbooks;
using Containment.Runs.Machine;

namespace Containment.Runs.Embedded;

/// <summary>
/// A run's state as its row keeps it. Each pending call's request carries the run's alert and the current step, which
/// the row holds once already (the state's alert, the playbook's step at the cursor): the request is kept without them
/// and given them back on reading, so an activity receives the same request after a restart. Kept with each call, the
/// alert (up to <see cref="Alerts.AlertChecks.MaxStoredCharacters"/>) would count once per channel of a notify step,
/// and a step may name any number of channels.
/// </summary>
internal static class RunStateJson
{
    private static readonly JsonSerializerOptions Options = new(ContainmentJson.Options)
    {
        TypeInfoResolver = ContainmentJson.Options.TypeInfoResolver!.WithAddedModifier(LeaveOutWhatTheRowHolds),
    };

    public static string Write(RunState state) => JsonSerializer.Serialize(state, Options);

    /// <param name="playbook">The playbook stored beside the state, whose current step the pending calls are of.</param>
    public static RunState Read(string json, Playbook playbook)
    {
        var state = JsonSerializer.Deserialize<RunState>(json, Options) ?? throw new InvalidDataException("a run's stored state is null");
        if (state.Pending.Count == 0)
        {
            return state;
        }

        var step = PlaybookMachine.CurrentStep(playbook, state);
        return state with
        {
            Pending = state.Pending
                .Select(pending => pending with { Call = pending.Call with { Request = pending.Call.Request with { Alert = state.Alert, Step = step } } })
                .ToList(),
        };
    }

    /// <summary>A request's alert and step are not written, and not required on reading (rows written before kept them).</summary>
    private static void LeaveOutWhatTheRowHolds(JsonTypeInfo info)
    {
        if (info.Type != typeof(ActivityRequest))
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if ((property.AttributeProvider as MemberInfo)?.Name is nameof(ActivityRequest.Alert) or nameof(ActivityRequest.Step))
            {
                property.ShouldSerialize = static (_, _) => false;
                property.IsRequired = false;
            }
        }
    }
}
