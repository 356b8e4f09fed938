using Containment.Approvals;

namespace Containment.Tests.Approvals;

public sealed class ApproverRuleTests
{
    [Theory]
    [InlineData(new string[0], null, ApproverVerdict.Allowed)]
    [InlineData(new string[0], "anyone@example.com", ApproverVerdict.Allowed)]
    [InlineData(new[] { "lead@example.com" }, "lead@example.com", ApproverVerdict.Allowed)]
    [InlineData(new[] { "lead@example.com", "ciso@example.com" }, "CISO@Example.com", ApproverVerdict.Allowed)]
    [InlineData(new[] { "lead@example.com" }, "intruder@example.com", ApproverVerdict.NotAnApprover)]
    [InlineData(new[] { "lead@example.com" }, null, ApproverVerdict.SignInRequired)]
    [InlineData(new[] { "lead@example.com" }, "  ", ApproverVerdict.SignInRequired)]
    public void Check_Cases(string[] approvers, string? identity, ApproverVerdict expected)
    {
        Assert.Equal(expected, ApproverRule.Check(approvers, identity));
    }

    [Fact]
    public void Identity_ReadsEasyAuthPrincipalHeader()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-ms-client-principal-name"] = "lead@example.com" };

        Assert.Equal("lead@example.com", ApproverRule.Identity(headers));
        Assert.Null(ApproverRule.Identity(new Dictionary<string, string>()));
    }

    [Fact]
    public void DecidedBy_PrefersIdentityAndMarksTypedNames()
    {
        Assert.Equal("lead@example.com", ApproverRule.DecidedBy("lead@example.com", "Someone"));
        Assert.Equal("Ann (name typed on the page, not verified)", ApproverRule.DecidedBy(null, " Ann "));
        Assert.Equal("anonymous link holder", ApproverRule.DecidedBy(null, null));
    }
}
