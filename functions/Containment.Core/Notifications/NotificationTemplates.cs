using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.Notifications;

/// <summary>The one place where the wording of every message lives. Channels only lay out what this returns.</summary>
public static class NotificationTemplates
{
    /// <summary>
    /// What a message shows of each fact. A detector's title, rule, image or source can be any length, and a chat
    /// refuses a message past its size (Teams at 28 KB) with the approval's links in it; the whole alert is in its
    /// security event.
    /// </summary>
    public const int MaxFactCharacters = 300;

    public static NotificationMessage Render(NotificationRequest request)
    {
        var alert = request.Alert;
        var pod = $"{alert.Target.Namespace}/{alert.Target.Pod}";
        var category = KebabCaseEnumConverter.ToWireName(alert.Category);
        var severity = alert.Severity.ToString();
        var (title, summary, urgent) = request.Template switch
        {
            NotificationTemplate.AlertReceived => ($"Alert: {category} ({severity}) on {pod}",
                $"A {severity} {category} alert was received for pod {pod}.", true),
            NotificationTemplate.Isolated => ($"Isolated: {pod}",
                $"Pod {pod} was isolated from the network after a {category} alert. {WorkloadText.WhileIsolated(request.PodOwnership)}", false),
            NotificationTemplate.ApprovalRequested => ($"Approval needed: {pod}",
                $"A decision is needed for pod {pod} after a {severity} {category} alert. Open the link to review it and approve or reject.", true),
            NotificationTemplate.Approved => ($"Approved: {pod}",
                $"The request for pod {pod} was approved; the playbook goes on.", false),
            NotificationTemplate.Rejected => ($"Rejected: {pod}",
                $"The request for pod {pod} was rejected; the playbook takes its rejection branch.", false),
            NotificationTemplate.TimedOut => ($"No decision in time: {pod}",
                $"Nobody decided on the request for pod {pod} before it timed out; the playbook takes its timeout branch.", true),
            NotificationTemplate.Escalation => ($"Escalation: {pod}",
                $"The {severity} {category} alert on pod {pod} still needs attention.", true),
            NotificationTemplate.Released => ($"Released: {pod}",
                $"Pod {pod} was released from isolation: its policies were removed and its labels restored.{(WorkloadText.OnRelease(request.PodOwnership) is { } onRelease ? " " + onRelease : string.Empty)}", false),
            NotificationTemplate.Failed => ($"Failed: {pod}",
                $"The playbook for pod {pod} failed and needs a person.", true),
            NotificationTemplate.MalwareNeedsHandling => ($"Malware needs handling: {pod}",
                $"Pod {pod} was isolated, but isolation does not remove malware: the security event stays Unprocessed until the malware is handled.", true),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Template, "unknown template"),
        };

        if (request.IsolationWarnings.Count > 0)
        {
            // Read at 3 a.m. as "the shell is cut": what the isolation could not guarantee asks for a person.
            summary = $"{summary} Not guaranteed: {string.Join(" ", request.IsolationWarnings.Select(Sentence))}";
            urgent = true;
        }

        if (!string.IsNullOrWhiteSpace(request.Message))
        {
            summary = $"{summary} {request.Message.Trim()}";
        }

        return new NotificationMessage
        {
            Event = KebabCaseEnumConverter.ToWireName(request.Template),
            Title = title,
            Summary = summary,
            Facts = Facts(alert, request.RunId),
            Links = Links(request),
            Urgent = urgent,
        };
    }

    private static List<NotificationFact> Facts(Alert alert, string? runId)
    {
        var target = alert.Target;
        var facts = new List<NotificationFact>();
        Add(facts, "Alert", alert.Title);
        Add(facts, "Category", KebabCaseEnumConverter.ToWireName(alert.Category));
        Add(facts, "Severity", alert.Severity.ToString());
        Add(facts, "Rule", alert.Rule);
        Add(facts, "Cluster", target.ClusterName);
        Add(facts, "Namespace", target.Namespace);
        Add(facts, "Pod", target.Pod);
        Add(facts, "Container", target.Container);
        Add(facts, "Image", target.Image);
        Add(facts, "Node", target.Node);
        Add(facts, "Time", ReadableTime.Of(alert.Time));
        Add(facts, "Source", alert.Source);
        Add(facts, "Run", runId);
        return facts;
    }

    private static List<NotificationLink> Links(NotificationRequest request)
    {
        var links = new List<NotificationLink>();
        if (request.ApproveUrl is not null)
        {
            links.Add(new NotificationLink("Review and approve", request.ApproveUrl, NotificationLinkStyle.Positive));
        }

        if (request.RejectUrl is not null)
        {
            links.Add(new NotificationLink("Review and reject", request.RejectUrl, NotificationLinkStyle.Destructive));
        }

        if (request.DetailsUrl is not null)
        {
            links.Add(new NotificationLink("Details", request.DetailsUrl));
        }

        return links;
    }

    private static string Sentence(string text)
    {
        var trimmed = text.Trim();
        return trimmed.EndsWith('.') ? trimmed : trimmed + ".";
    }

    private static void Add(List<NotificationFact> facts, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            facts.Add(new NotificationFact(label, TextCut.WithEllipsis(value, MaxFactCharacters)));
        }
    }
}
