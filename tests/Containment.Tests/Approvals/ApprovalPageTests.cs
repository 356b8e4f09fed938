using System.Text;
using Containment.Api;
using Containment.Approvals;
using Containment.Tests.Notifications;

namespace Containment.Tests.Approvals;

public sealed class ApprovalPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Request_HostileValues_AreEncoded()
    {
        var page = ApprovalPage.Request(View() with { Message = "Release? <b>now</b>" });

        Assert.Equal(200, page.Status);
        Assert.DoesNotContain("<script>", page.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", page.Text, StringComparison.Ordinal);
        Assert.Contains("api-&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&quot;", page.Text, StringComparison.Ordinal);
        AssertHeaders(page);
    }

    [Fact]
    public void Request_Anonymous_ShowsDetailsFormAndNameField()
    {
        var page = ApprovalPage.Request(View());

        var html = page.Text!;
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
        foreach (var expected in new[] { "reverse-shell", "High", "aks-prod", "payments", "api", "registry.example.com/payments/api:1.4.2", "Release the pod from isolation", "2026-11-23 09:00:00 UTC" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }

        Assert.Contains("<form method=\"post\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" action=", html, StringComparison.Ordinal);
        Assert.Contains("name=\"decision\" value=\"approve\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"decision\" value=\"reject\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"comment\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"name\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("registry.example.com", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Request_SignedIn_HidesNameField()
    {
        var html = ApprovalPage.Request(View() with { SignedInIdentity = "lead@example.com" }).Text!;

        Assert.DoesNotContain("name=\"name\"", html, StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>lead@example.com</strong>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_ApproversNamedNobodySignedIn_RefusesWithoutForm()
    {
        var page = ApprovalPage.Request(View() with { Verdict = ApproverVerdict.SignInRequired });

        Assert.Equal(403, page.Status);
        Assert.DoesNotContain("<form", page.Text, StringComparison.Ordinal);
        Assert.Contains("sign in to decide", page.Text, StringComparison.Ordinal);
        AssertHeaders(page);
    }

    [Fact]
    public void ResultPages_HaveStatusesHeadersAndEncodedValues()
    {
        var decision = new ApprovalDecision(ApprovalVerdict.Rejected, "<img src=x>", Now, "not <now>");

        var decided = ApprovalPage.Decided(decision);
        var used = ApprovalPage.AlreadyUsed(decision);
        var pages = new[] { decided, used, ApprovalPage.Expired(), ApprovalPage.NoLongerAwaited(), ApprovalPage.Invalid(), ApprovalPage.NotAllowed(ApproverVerdict.NotAnApprover, "<i>eve</i>") };

        Assert.Equal([200, 409, 410, 410, 404, 403], pages.Select(page => page.Status));
        Assert.All(pages, AssertHeaders);
        Assert.All(pages, page => Assert.DoesNotContain("<img", page.Text, StringComparison.Ordinal));
        Assert.All(pages, page => Assert.DoesNotContain("<i>", page.Text, StringComparison.Ordinal));
        Assert.Contains("Rejected by <strong>&lt;img src=x&gt;</strong> at 2026-11-23 08:00:00 UTC", decided.Text, StringComparison.Ordinal);
        Assert.Contains("not &lt;now&gt;", decided.Text, StringComparison.Ordinal);
        Assert.Contains("rejected by", used.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Form_Parse_ReadsDecisionCommentAndName()
    {
        var form = ApprovalForm.Parse(new BinaryData(Encoding.UTF8.GetBytes("name=Ann+Lee&comment=ok%2C+go%20%3Cnow%3E&decision=approve")));

        Assert.Equal(ApprovalVerdict.Approved, form.Decision);
        Assert.Equal("ok, go <now>", form.Comment);
        Assert.Equal("Ann Lee", form.Name);
        Assert.Null(ApprovalForm.Parse(new BinaryData(Encoding.UTF8.GetBytes("decision=maybe"))).Decision);
        Assert.Equal(ApprovalVerdict.Rejected, ApprovalForm.Parse(new BinaryData(Encoding.UTF8.GetBytes("decision=reject"))).Decision);
    }

    [Theory]
    [InlineData("decision=approve&decision=reject", "the form says both decision=approve and decision=reject; it must say one")]
    [InlineData("decision=maybe", "the form must say decision=approve or decision=reject")]
    [InlineData("comment=ok", "the form must say decision=approve or decision=reject")]
    [InlineData("decision=approve&name=Ann%1B%5B2J", "the name holds a control character (U+001B at 3)")]
    [InlineData("decision=approve&name=Ann%0D%0ALee", "the name holds a control character (U+000D at 3)")]
    [InlineData("decision=approve&name=%E2%80%AEnimda", "the name holds a bidirectional control (U+202E at 0), which shows text in another order than it is kept")]
    [InlineData("decision=approve&comment=ok%00", "the comment holds a control character (U+0000 at 2)")]
    [InlineData("decision=approve&comment=a&comment=b", "the form gives comment more than once")]
    public void Form_Parse_RefusesWhatItCannotKeepAsTyped(string body, string problem)
    {
        var form = ApprovalForm.Parse(BinaryData.FromString(body));

        Assert.Equal(problem, form.Problem);
    }

    [Fact]
    public void Form_Parse_CommentAtItsLimitWithBrowserLineBreaks_Taken_OneLonger_Refused()
    {
        // A textarea's maxlength counts a line break as one character, and the browser sends it as CRLF: 20 lines of
        // 99 characters, 19 breaks and one more character are 2,000 characters on the page, 2,019 in the form.
        var typed = string.Join("\r\n", Enumerable.Repeat(new string('a', 99), 20)) + "b";

        var taken = ApprovalForm.Parse(BinaryData.FromString("decision=approve&comment=" + Uri.EscapeDataString(typed)));
        var tooLong = ApprovalForm.Parse(BinaryData.FromString("decision=approve&comment=" + Uri.EscapeDataString(new string('a', ApprovalForm.MaxCommentLength + 1))));

        Assert.Null(taken.Problem);
        Assert.Equal(typed.Replace("\r\n", "\n", StringComparison.Ordinal), taken.Comment);
        Assert.Equal(ApprovalForm.MaxCommentLength, taken.Comment!.Length);
        Assert.Equal("the comment is 2001 characters; at most 2000 are kept", tooLong.Problem);
    }

    private static void AssertHeaders(ApiResponse page)
    {
        Assert.Equal("no-store", page.Headers["Cache-Control"]);
        Assert.Equal("DENY", page.Headers["X-Frame-Options"]);
        Assert.Equal("no-referrer", page.Headers["Referrer-Policy"]);
        var csp = page.Headers["Content-Security-Policy"];
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        var text = page.Text!;
        var style = text[(text.IndexOf("<style>", StringComparison.Ordinal) + 7)..text.IndexOf("</style>", StringComparison.Ordinal)];
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(style)));
        Assert.Contains($"style-src 'sha256-{hash}'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Contains("form-action 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
    }

    private static ApprovalRequestView View() => new()
    {
        Alert = TestAlerts.ReverseShell(TestAlerts.HostilePod),
        Message = "Release this pod?",
        OnApprove = "Release the pod from isolation",
        OnReject = "Keep the pod isolated",
        ExpiresAt = Now.AddHours(1),
    };
}
