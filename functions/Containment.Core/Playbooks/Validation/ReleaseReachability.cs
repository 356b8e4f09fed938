namespace Containment.Playbooks.Validation;

/// <summary>
/// Follows every path through a playbook (a step with <c>when</c> or <c>continueOnError</c> may not take
/// effect; each approval branch is a path) and reports a release that some path reaches with no isolate
/// before it.
/// </summary>
internal static class ReleaseReachability
{
    public static void Check(Playbook playbook, List<(string Pointer, string Message)> problems)
    {
        Walk(playbook.Steps, "/steps", mayBeUnisolated: true, problems);
        if (playbook.OnFailure is not null)
        {
            // A failure can come before the first isolate.
            Walk(playbook.OnFailure, "/onFailure", mayBeUnisolated: true, problems);
        }
    }

    /// <returns>Whether, after these steps, some path leaves the pod not isolated.</returns>
    private static bool Walk(IReadOnlyList<Step> steps, string pointer, bool mayBeUnisolated, List<(string, string)> problems)
    {
        for (var index = 0; index < steps.Count; index++)
        {
            var step = steps[index];
            var stepPointer = JsonPointer.Append(pointer, index);
            var certain = step.When is null && !step.ContinueOnError;
            switch (step)
            {
                case IsolateStep when certain:
                    mayBeUnisolated = false;
                    break;
                case ReleaseStep:
                    if (mayBeUnisolated)
                    {
                        problems.Add((stepPointer, $"release '{step.Id}' can run before any isolate on some path: isolate first (without 'when' or 'continueOnError'), or move the release into a branch that follows one"));
                    }

                    mayBeUnisolated = true;
                    break;
                case ApprovalStep approval:
                    // The run goes straight on, past every branch, when the step does not run (when), a branch is
                    // missing, or the request fails and continueOnError lets the run go on.
                    var after = !certain || approval.OnApproved is null || approval.OnRejected is null || approval.OnTimeout is null
                        ? mayBeUnisolated
                        : false;
                    foreach (var (field, branch) in approval.Branches)
                    {
                        after |= Walk(branch, JsonPointer.Append(stepPointer, field), mayBeUnisolated, problems);
                    }

                    mayBeUnisolated = after;
                    break;
            }
        }

        return mayBeUnisolated;
    }
}
