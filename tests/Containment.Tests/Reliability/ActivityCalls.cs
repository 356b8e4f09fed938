using Containment.Activities;
using Containment.Alerts;
using Containment.Playbooks;
using Containment.Tests.Support;

namespace Containment.Tests.Reliability;

/// <summary>Calls a step's activity as a runtime does: the host's own activity, with a request for one pod of the host's cluster.</summary>
internal static class ActivityCalls
{
    public static IRunActivity Activity(this LocalHostFixture host, string name) =>
        host.Get<IEnumerable<IRunActivity>>().Single(activity => activity.Name == name);

    /// <summary>A first try of <paramref name="step"/> in a run of <paramref name="playbook"/>, for a reverse-shell alert on <paramref name="pod"/>.</summary>
    public static ActivityRequest Request(string playbook, string pod, Step step, string ns = LocalHostFixture.Namespace) => new()
    {
        InstanceId = $"{LocalHostFixture.Cluster}~{ns}~{pod}",
        CallId = step.Id,
        Playbook = playbook,
        Step = step,
        Alert = new Alert
        {
            Id = $"{playbook}-{pod}",
            Source = "falco",
            Category = AlertCategory.ReverseShell,
            Severity = Severity.High,
            Time = DateTimeOffset.UtcNow,
            Target = new AlertTarget { Cluster = LocalHostFixture.Cluster, Namespace = ns, Pod = pod },
        },
    };
}
