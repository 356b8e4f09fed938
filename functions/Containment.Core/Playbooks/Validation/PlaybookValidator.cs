using Containment.Alerts;

namespace Containment.Playbooks.Validation;

/// <summary>
/// The checks a schema cannot make: unique step ids, known channels and approvers, empty and
/// unreachable branches, a release that some path reaches without an isolate, sensible durations.
/// </summary>
public static class PlaybookValidator
{
    public static IReadOnlyList<(string Pointer, string Message)> Validate(Playbook playbook, PlaybookValidationContext context)
    {
        var problems = new List<(string Pointer, string Message)>();
        CheckTrigger(playbook, problems);

        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (step, pointer) in StepWalker.All(playbook))
        {
            if (!firstSeen.TryAdd(step.Id, pointer))
            {
                problems.Add((JsonPointer.Append(pointer, "id"), $"duplicate step id '{step.Id}' (first used at {firstSeen[step.Id]})"));
            }

            CheckStep(step, pointer, playbook.Trigger, context, problems);
        }

        foreach (var (field, steps, pointer) in StepWalker.Branches(playbook))
        {
            if (steps.Count == 0)
            {
                problems.Add((pointer, $"empty branch: give '{field}' steps, or leave it out to go on with the next step"));
            }
        }

        if (!playbook.Trigger.Manual)
        {
            // A manual playbook acts on an isolation that already exists, so only alert playbooks must isolate first.
            ReleaseReachability.Check(playbook, problems);
        }

        return problems;
    }

    private static void CheckTrigger(Playbook playbook, List<(string, string)> problems)
    {
        var trigger = playbook.Trigger;
        if (trigger.Manual && trigger.Categories.Count > 0)
        {
            problems.Add(("/trigger/categories", "a manual trigger takes no alerts: remove 'categories' or 'manual'"));
        }

        var duplicate = trigger.Categories.GroupBy(category => category).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            problems.Add(("/trigger/categories", $"category '{KebabCaseEnumConverter.ToWireName(duplicate.Key)}' is listed twice"));
        }

        CheckFilter(trigger.Clusters, "/trigger/clusters", problems);
        CheckFilter(trigger.Namespaces, "/trigger/namespaces", problems);
    }

    private static void CheckFilter(NameFilter? filter, string pointer, List<(string, string)> problems)
    {
        var both = filter?.Include.Intersect(filter.Exclude, StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        if (both is not null)
        {
            problems.Add((pointer, $"'{both}' is both included and excluded"));
        }
    }

    private static void CheckStep(Step step, string pointer, PlaybookTrigger trigger, PlaybookValidationContext context, List<(string, string)> problems)
    {
        if (step.When is { } when && !trigger.Manual && WhyUnreachable(when, trigger) is { } why)
        {
            problems.Add((JsonPointer.Append(pointer, "when"), $"unreachable: {why}"));
        }

        if (step.Retry is { } retry)
        {
            var retryPointer = JsonPointer.Append(pointer, "retry");
            var maxPointer = JsonPointer.Append(retryPointer, "maxInterval");
            if (retry.MaxInterval is { } max && max < retry.FirstInterval)
            {
                problems.Add((maxPointer, "is shorter than firstInterval"));
            }

            // A try that does not wait meets the same throttling or outage again; the Kubernetes calls already retry
            // quickly inside a try.
            CheckDelay(retry.FirstInterval, JsonPointer.Append(retryPointer, "firstInterval"), problems);
            CheckLongest(retry.MaxInterval, maxPointer, problems);
        }

        switch (step)
        {
            case ApprovalStep approval:
                CheckDelay(approval.Timeout, JsonPointer.Append(pointer, "timeout"), problems);
                CheckNames(approval.Channels, context.Channels, "channel", JsonPointer.Append(pointer, "channels"), problems);
                CheckNames(approval.Approvers, context.Approvers, "approver", JsonPointer.Append(pointer, "approvers"), problems);
                break;
            case NotifyStep notify:
                CheckNames(notify.Channels, context.Channels, "channel", JsonPointer.Append(pointer, "channels"), problems);
                break;
            case WaitStep wait:
                CheckDelay(wait.Duration, JsonPointer.Append(pointer, "duration"), problems);
                break;
            case DeletePodStep { GracePeriod: { } grace }:
                var gracePointer = JsonPointer.Append(pointer, "gracePeriod");
                if (grace.Ticks % TimeSpan.TicksPerSecond != 0)
                {
                    // Kubernetes takes whole seconds: PT0.5S would be sent as 0, a delete with no grace at all.
                    problems.Add((gracePointer, "must be whole seconds: Kubernetes takes a pod's grace period in seconds"));
                }

                CheckLongest(grace, gracePointer, problems);
                break;
        }
    }

    /// <summary>A time to wait: longer than zero, and no longer than <see cref="PlaybookLimits.LongestDelay"/>.</summary>
    private static void CheckDelay(TimeSpan delay, string pointer, List<(string, string)> problems)
    {
        if (delay <= TimeSpan.Zero)
        {
            problems.Add((pointer, "must be longer than zero"));
        }
        else
        {
            CheckLongest(delay, pointer, problems);
        }
    }

    private static void CheckLongest(TimeSpan? duration, string pointer, List<(string, string)> problems)
    {
        if (duration > PlaybookLimits.LongestDelay)
        {
            problems.Add((pointer, $"must be at most {Iso8601DurationConverter.Format(PlaybookLimits.LongestDelay)}"));
        }
    }

    private static void CheckNames(IReadOnlyList<string> names, IReadOnlySet<string>? known, string kind, string pointer, List<(string, string)> problems)
    {
        if (known is null)
        {
            return;
        }

        for (var index = 0; index < names.Count; index++)
        {
            if (!known.Contains(names[index]))
            {
                var configured = known.Count == 0 ? "none is configured" : $"configured: {string.Join(", ", known.Order(StringComparer.Ordinal))}";
                problems.Add((JsonPointer.Append(pointer, index), $"unknown {kind} '{names[index]}'; {configured}"));
            }
        }
    }

    /// <summary>Why a step's condition can never hold for the alerts the trigger takes, or null when it can.</summary>
    private static string? WhyUnreachable(StepCondition when, PlaybookTrigger trigger)
    {
        var possible = trigger.Categories.Count > 0 ? trigger.Categories : Enum.GetValues<AlertCategory>();
        if (when.Category is { } categoryTest && !possible.Any(category => categoryTest.Matches(category)))
        {
            return $"the trigger takes only {string.Join(", ", possible.Select(KebabCaseEnumConverter.ToWireName))} alerts, so the category test never holds";
        }

        var severities = Enum.GetValues<Severity>().Where(severity => severity >= trigger.MinSeverity);
        if (when.Severity is { } severityTest && !severities.Any(severity => severityTest.Matches(severity)))
        {
            return $"the trigger takes only alerts of severity {KebabCaseEnumConverter.ToWireName(trigger.MinSeverity)} and above, so the severity test never holds";
        }

        return null;
    }
}
