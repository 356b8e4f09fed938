using System.Text;
using System.Text.Encodings.Web;
using Containment.Api;

namespace Containment.Approvals;

/// <summary>
/// The server-rendered approval pages: no scripts, no external assets, one inline stylesheet allowed by its hash, every value HTML-encoded.
/// The request page decides nothing; its form POSTs to the same URL (<c>decision</c> = approve | reject,
/// <c>comment</c>, and <c>name</c> when nobody is signed in). Each page carries its JSON form too, for
/// clients that ask for JSON (chat integrations posting a decision): see <see cref="Negotiate"/>.
/// </summary>
public static class ApprovalPage
{
    public const string DecisionField = "decision";
    public const string CommentField = "comment";
    public const string NameField = "name";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static ApiResponse Request(ApprovalRequestView view)
    {
        var alert = view.Alert;
        var target = alert.Target;
        var body = new StringBuilder();
        body.Append("<h1>Approval requested</h1>")
            .Append("<p class=\"message\">").Append(E(view.Message)).Append("</p>")
            .Append("<table>");
        Row(body, "Alert", alert.Title);
        Row(body, "Category", KebabCaseEnumConverter.ToWireName(alert.Category));
        Row(body, "Severity", alert.Severity.ToString());
        Row(body, "Rule", alert.Rule);
        Row(body, "Cluster", target.ClusterName);
        Row(body, "Namespace", target.Namespace);
        Row(body, "Pod", target.Pod);
        Row(body, "Container", target.Container);
        Row(body, "Image", target.Image);
        Row(body, "Node", target.Node);
        Row(body, "Alert time", ReadableTime.Of(alert.Time));
        Row(body, "Link expires", ReadableTime.Of(view.ExpiresAt));
        body.Append("</table>")
            .Append("<p><strong>Approving will:</strong> ").Append(E(view.OnApprove)).Append("</p>");
        if (!string.IsNullOrWhiteSpace(view.OnReject))
        {
            body.Append("<p><strong>Rejecting will:</strong> ").Append(E(view.OnReject)).Append("</p>");
        }

        if (view.Verdict != ApproverVerdict.Allowed)
        {
            body.Append("<p class=\"notice\">").Append(E(Refusal(view.Verdict, view.SignedInIdentity))).Append("</p>");
            return Page(403, "Approval requested", body, new ApiErrorBody(Refusal(view.Verdict, view.SignedInIdentity)));
        }

        body.Append("<form method=\"post\">");
        if (string.IsNullOrWhiteSpace(view.SignedInIdentity))
        {
            body.Append("<label for=\"name\">Your name</label>")
                .Append("<input id=\"name\" name=\"").Append(NameField).Append("\" maxlength=\"200\" autocomplete=\"name\" required>")
                .Append("<p class=\"hint\">Nobody is signed in: the name is recorded as typed, not verified.</p>");
        }
        else
        {
            body.Append("<p>Signed in as <strong>").Append(E(view.SignedInIdentity)).Append("</strong></p>");
        }

        body.Append("<label for=\"comment\">Comment</label>")
            .Append("<textarea id=\"comment\" name=\"").Append(CommentField).Append("\" maxlength=\"2000\" rows=\"3\"></textarea>")
            .Append("<div class=\"buttons\">")
            .Append("<button class=\"approve\" type=\"submit\" name=\"").Append(DecisionField).Append("\" value=\"approve\">Approve</button>")
            .Append("<button class=\"reject\" type=\"submit\" name=\"").Append(DecisionField).Append("\" value=\"reject\">Reject</button>")
            .Append("</div></form>");
        return Page(200, "Approval requested", body, new { Request = view });
    }

    public static ApiResponse Decided(ApprovalDecision decision)
    {
        var verb = decision.Verdict == ApprovalVerdict.Approved ? "Approved" : "Rejected";
        var body = new StringBuilder();
        body.Append("<h1>").Append(verb).Append("</h1><p>")
            .Append(verb).Append(" by <strong>").Append(E(decision.By)).Append("</strong> at ").Append(E(ReadableTime.Of(decision.At))).Append(".</p>");
        if (!string.IsNullOrWhiteSpace(decision.Comment))
        {
            body.Append("<p>Comment: ").Append(E(decision.Comment)).Append("</p>");
        }

        body.Append("<p>The playbook goes on from here. You can close this page.</p>");
        return Page(200, verb, body, new { Decision = decision });
    }

    public static ApiResponse AlreadyUsed(ApprovalDecision? earlier)
    {
        var body = new StringBuilder("<h1>Already decided</h1><p>This link has been used");
        if (earlier is not null)
        {
            body.Append(": ").Append(earlier.Verdict == ApprovalVerdict.Approved ? "approved" : "rejected").Append(" by <strong>")
                .Append(E(earlier.By)).Append("</strong> at ").Append(E(ReadableTime.Of(earlier.At)));
        }

        body.Append(". A link decides once.</p>");
        var said = earlier is null ? string.Empty : $": {KebabCaseEnumConverter.ToWireName(earlier.Verdict)} by {earlier.By} at {ReadableTime.Of(earlier.At)}";
        return Page(409, "Already decided", body, new ApiErrorBody($"this link has been used{said}; a link decides once"));
    }

    public static ApiResponse Expired() => Notice(410, "Link expired", "The time to decide on this request has passed; the playbook took its timeout branch.");

    /// <summary>The link is valid but its run no longer waits for it (it timed out on it, moved on, ended, or another alert's run took the pod).</summary>
    public static ApiResponse NoLongerAwaited() => Notice(410, "Nothing left to decide", "The run that sent this request no longer waits for it: it timed out, was ended, or another alert's run took the pod. Nothing was decided.");

    public static ApiResponse Invalid() => Notice(404, "Invalid link", "This approval link is not valid. Use the link exactly as it was sent.");

    public static ApiResponse NotAllowed(ApproverVerdict verdict, string? signedInIdentity) => Notice(403, "Not allowed", Refusal(verdict, signedInIdentity));

    public static ApiResponse FromAnotherSite() => Notice(403, "Not from the approval page",
        "A decision is taken only from the approval page itself, and this one was sent by another site. Nothing was decided: open the link and decide there.");

    /// <summary>The page as JSON (<c>Accept</c> asks for JSON and not HTML), else as it is.</summary>
    public static ApiResponse Negotiate(ApiRequest request, ApiResponse page)
    {
        var accept = request.Header("Accept") ?? string.Empty;
        var wantsJson = accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
        // The same headers either way: the JSON holds the request, the alert's payload included, and is not to be cached.
        return wantsJson && page.Text is not null
            ? ApiResponse.Json(page.Status, page.Body) with { Headers = page.Headers }
            : page;
    }

    private static ApiResponse Notice(int status, string title, string message) =>
        Page(status, title, new StringBuilder("<h1>").Append(E(title)).Append("</h1><p>").Append(E(message)).Append("</p>"), new ApiErrorBody(message));

    private static string Refusal(ApproverVerdict verdict, string? identity) => verdict switch
    {
        ApproverVerdict.SignInRequired => "This request names its approvers: sign in to decide. A typed name is not enough.",
        _ => $"{identity} is not one of the approvers this request names.",
    };

    private static void Row(StringBuilder body, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            body.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
        }
    }

    private static string E(string? value) => Encoder.Encode(value ?? string.Empty);

    /// <param name="json">The same answer for JSON clients.</param>
    private static ApiResponse Page(int status, string title, StringBuilder content, object json)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">")
            .Append("<title>").Append(E(title)).Append(" · Containment</title><style>").Append(ApprovalPageStyle.Css).Append("</style></head>")
            .Append("<body><main>").Append(content).Append("</main></body></html>");
        return ApiResponse.Html(status, html.ToString()) with { Headers = ApprovalPageHeaders.All, Body = json };
    }
}
