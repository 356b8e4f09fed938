using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Containment.Api;

namespace Containment.Approvals;

/// <summary>
/// The server-rendered approval pages: no scripts, no external assets, inline CSS only, every value HTML-encoded.
/// The request page decides nothing; its form POSTs to the same URL (<c>decision</c> = approve | reject,
/// <c>comment</c>, and <c>name</c> when nobody is signed in).
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
        Row(body, "Alert time", Time(alert.Time));
        Row(body, "Link expires", Time(view.ExpiresAt));
        body.Append("</table>")
            .Append("<p><strong>Approving will:</strong> ").Append(E(view.OnApprove)).Append("</p>");
        if (!string.IsNullOrWhiteSpace(view.OnReject))
        {
            body.Append("<p><strong>Rejecting will:</strong> ").Append(E(view.OnReject)).Append("</p>");
        }

        if (view.Verdict != ApproverVerdict.Allowed)
        {
            body.Append("<p class=\"notice\">").Append(E(Refusal(view.Verdict, view.SignedInIdentity))).Append("</p>");
            return Page(403, "Approval requested", body);
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
        return Page(200, "Approval requested", body);
    }

    public static ApiResponse Decided(ApprovalDecision decision)
    {
        var verb = decision.Decision == Decision.Approved ? "Approved" : "Rejected";
        var body = new StringBuilder();
        body.Append("<h1>").Append(verb).Append("</h1><p>")
            .Append(verb).Append(" by <strong>").Append(E(decision.By)).Append("</strong> at ").Append(E(Time(decision.At))).Append(".</p>");
        if (!string.IsNullOrWhiteSpace(decision.Comment))
        {
            body.Append("<p>Comment: ").Append(E(decision.Comment)).Append("</p>");
        }

        body.Append("<p>The playbook goes on from here. You can close this page.</p>");
        return Page(200, verb, body);
    }

    public static ApiResponse AlreadyUsed(ApprovalDecision? earlier)
    {
        var body = new StringBuilder("<h1>Already decided</h1><p>This link has been used");
        if (earlier is not null)
        {
            body.Append(": ").Append(earlier.Decision == Decision.Approved ? "approved" : "rejected").Append(" by <strong>")
                .Append(E(earlier.By)).Append("</strong> at ").Append(E(Time(earlier.At)));
        }

        body.Append(". A link decides once.</p>");
        return Page(409, "Already decided", body);
    }

    public static ApiResponse Expired() =>
        Page(410, "Link expired", new StringBuilder("<h1>Link expired</h1><p>The time to decide on this request has passed; the playbook took its timeout branch.</p>"));

    public static ApiResponse Invalid() =>
        Page(404, "Invalid link", new StringBuilder("<h1>Invalid link</h1><p>This approval link is not valid. Use the link exactly as it was sent.</p>"));

    public static ApiResponse NotAllowed(ApproverVerdict verdict, string? signedInIdentity) =>
        Page(403, "Not allowed", new StringBuilder("<h1>Not allowed</h1><p>").Append(E(Refusal(verdict, signedInIdentity))).Append("</p>"));

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

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string E(string? value) => Encoder.Encode(value ?? string.Empty);

    private static ApiResponse Page(int status, string title, StringBuilder content)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">")
            .Append("<title>").Append(E(title)).Append(" · Containment</title><style>").Append(Style).Append("</style></head>")
            .Append("<body><main>").Append(content).Append("</main></body></html>");
        return ApiResponse.Html(status, html.ToString()) with { Headers = ApprovalPageHeaders.All };
    }

    private const string Style =
        "body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;background:#f5f5f5;color:#1b1b1b;margin:0}" +
        "main{max-width:40rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}" +
        "h1{font-size:1.4rem;margin-top:0}table{border-collapse:collapse;margin:1rem 0}" +
        "th{text-align:left;padding:.2rem 1rem .2rem 0;vertical-align:top;color:#555}td{padding:.2rem 0;word-break:break-all}" +
        "label{display:block;margin-top:1rem;font-weight:600}input,textarea{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}" +
        ".hint{color:#666;font-size:.85rem}.notice{background:#fde7e9;padding:.75rem;border-radius:4px}" +
        ".buttons{margin-top:1rem;display:flex;gap:.75rem}button{padding:.6rem 1.4rem;border:0;border-radius:4px;color:#fff;font:inherit;cursor:pointer}" +
        ".approve{background:#107c10}.reject{background:#a4262c}";
}
