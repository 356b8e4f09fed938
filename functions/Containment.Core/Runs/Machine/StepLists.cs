using Containment.Playbooks;
using Containment.Playbooks.Validation;

namespace Containment.Runs.Machine;

/// <summary>Names every list of steps in a playbook, so a run's cursor is plain data.</summary>
public static class StepLists
{
    public static string BranchKey(string stepId, string field) => $"{stepId}/{field}";

    public static IReadOnlyList<Step> Resolve(Playbook playbook, string key)
    {
        if (key == PlaybookMachine.MainList)
        {
            return playbook.Steps;
        }

        if (key == PlaybookMachine.FailureList)
        {
            return playbook.OnFailure ?? [];
        }

        var cut = key.LastIndexOf('/');
        var (stepId, field) = (key[..cut], key[(cut + 1)..]);
        var owner = StepWalker.All(playbook).Select(pair => pair.Step).FirstOrDefault(step => step.Id == stepId)
            ?? throw new InvalidOperationException($"playbook '{playbook.Name}' has no step '{stepId}'; was it changed under a running run?");
        return owner.Branches.FirstOrDefault(branch => branch.Field == field).Steps
            ?? throw new InvalidOperationException($"step '{stepId}' of playbook '{playbook.Name}' has no branch '{field}'");
    }
}
