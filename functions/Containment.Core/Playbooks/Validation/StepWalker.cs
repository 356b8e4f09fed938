namespace Containment.Playbooks.Validation;

/// <summary>Visits every step of a playbook, branches and <c>onFailure</c> included, with its JSON pointer.</summary>
public static class StepWalker
{
    public static IEnumerable<(Step Step, string Pointer)> All(Playbook playbook)
    {
        foreach (var item in Walk(playbook.Steps, "/steps"))
        {
            yield return item;
        }

        if (playbook.OnFailure is not null)
        {
            foreach (var item in Walk(playbook.OnFailure, "/onFailure"))
            {
                yield return item;
            }
        }
    }

    /// <summary>Every branch list (a step's branches and <c>onFailure</c>) with its field name and pointer.</summary>
    public static IEnumerable<(string Field, IReadOnlyList<Step> Steps, string Pointer)> Branches(Playbook playbook)
    {
        if (playbook.OnFailure is not null)
        {
            yield return ("onFailure", playbook.OnFailure, "/onFailure");
        }

        foreach (var (step, pointer) in All(playbook))
        {
            foreach (var (field, steps) in step.Branches)
            {
                yield return (field, steps, JsonPointer.Append(pointer, field));
            }
        }
    }

    private static IEnumerable<(Step, string)> Walk(IReadOnlyList<Step> steps, string pointer)
    {
        for (var index = 0; index < steps.Count; index++)
        {
            var stepPointer = JsonPointer.Append(pointer, index);
            yield return (steps[index], stepPointer);
            foreach (var (field, branch) in steps[index].Branches)
            {
                foreach (var item in Walk(branch, JsonPointer.Append(stepPointer, field)))
                {
                    yield return item;
                }
            }
        }
    }
}
