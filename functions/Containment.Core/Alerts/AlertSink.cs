namespace Containment.Alerts;

/// <summary>Collects what formats read, so a batch can yield alerts and problems side by side.</summary>
public sealed class AlertSink
{
    private readonly List<Alert> alerts = [];
    private readonly List<AlertProblem> problems = [];

    public IReadOnlyList<Alert> Alerts => alerts;

    public IReadOnlyList<AlertProblem> Problems => problems;

    /// <summary>Takes the alert when it passes <see cref="AlertChecks"/>; otherwise records why not, at the fields to fix.</summary>
    public void Add(Alert alert, AlertPointers where)
    {
        var found = AlertChecks.Check(alert, where);
        if (found.Count > 0)
        {
            problems.AddRange(found);
            return;
        }

        alerts.Add(alert);
    }

    public void Problem(string pointer, string message) => problems.Add(new AlertProblem(pointer, message));

    public void AddProblems(IEnumerable<AlertProblem> more) => problems.AddRange(more);
}
