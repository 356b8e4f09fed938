using System.CommandLine;
using System.Text;
using Containment.Playbooks.Reference;

namespace Containment.Local.Cli;

/// <summary>
/// <c>playbooks steps [TYPE...]</c>: what each step type does and the fields it takes, from the playbook schema; for a
/// step that acts on a cluster, what it makes sure of there and the permissions it needs.
/// </summary>
internal static class PlaybookStepsCommand
{
    public static Command Create()
    {
        var types = new Argument<string[]>("types")
        {
            Description = "Step types to describe (default: every step type, after the fields every step takes).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        types.Validators.Add(result =>
        {
            foreach (var unknown in (result.GetValueOrDefault<string[]>() ?? []).Where(type => StepReference.For(type) is null))
            {
                result.AddError($"'{unknown}' is not a step type (step types: {string.Join(", ", StepReference.All.Select(step => step.Type))})");
            }
        });

        var command = new Command("steps", "Describe the step types a playbook may use: their fields, and what the steps that act on a cluster check there and need.") { types };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asked = parse.GetValue(types) ?? [];
            await parse.InvocationConfiguration.Output.WriteAsync(
                asked.Length == 0 ? Everything() : string.Join(Environment.NewLine, asked.Select(type => Describe(StepReference.For(type)!))));
            return ContainmentCli.Ok;
        });
        return command;
    }

    private static string Everything() =>
        string.Join(Environment.NewLine, StepReference.All.Select(Describe).Prepend($"every step{Environment.NewLine}{Fields(StepReference.Common)}"));

    private static string Describe(StepDescription step)
    {
        var text = new StringBuilder().AppendLine($"{step.Type}: {step.Description}");
        text.Append(step.Fields.Count == 0 ? $"  no fields of its own{Environment.NewLine}" : Fields(step.Fields));
        if (step.Action is { } action)
        {
            text.AppendLine("  on the cluster it makes sure that:");
            foreach (var check in action.Checks)
            {
                text.AppendLine($"    - {check}");
            }

            text.AppendLine($"  it needs: {string.Join("; ", ContainmentPermissions.Merge(action.Needed))}");
        }

        return text.ToString();
    }

    private static string WhatItIs(StepField field) =>
        field.Values.Count == 0 ? field.Description ?? "" : $"{field.Description} One of: {string.Join(", ", field.Values)}.".TrimStart();

    private static string Fields(IReadOnlyList<StepField> fields)
    {
        var table = Table.Render(
            ["field", "takes", "", "what it is"],
            fields.Select(field => (IReadOnlyList<string>)[field.Name, field.Kind, field.Required ? "required" : "", WhatItIs(field)]));
        return string.Concat(table.Split(Environment.NewLine).Where(line => line.Length > 0).Select(line => $"  {line}{Environment.NewLine}"));
    }
}
