namespace Containment.Approvals;

/// <summary>
/// Who may decide. No approvers named: anyone holding the link (the link is the credential). Approvers named: only a
/// signed-in identity (App Service Authentication's <c>X-MS-CLIENT-PRINCIPAL-NAME</c>) that matches one of them,
/// without regard to case. When approvers are named and nobody is signed in, the decision is refused rather than
/// trusting a typed name, and the page says that signing in is needed.
/// The principal header is trustworthy only behind App Service Authentication, which strips it from client requests;
/// a host without it must strip the header itself.
/// </summary>
public static class ApproverRule
{
    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";

    public static ApproverVerdict Check(IReadOnlyList<string> approvers, string? signedInIdentity)
    {
        var named = approvers.Where(approver => !string.IsNullOrWhiteSpace(approver)).ToList();
        if (named.Count == 0)
        {
            return ApproverVerdict.Allowed;
        }

        if (string.IsNullOrWhiteSpace(signedInIdentity))
        {
            return ApproverVerdict.SignInRequired;
        }

        return named.Any(approver => string.Equals(approver.Trim(), signedInIdentity.Trim(), StringComparison.OrdinalIgnoreCase))
            ? ApproverVerdict.Allowed
            : ApproverVerdict.NotAnApprover;
    }

    /// <summary>The signed-in identity of a request, if any.</summary>
    public static string? Identity(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue(PrincipalNameHeader, out var name) && !string.IsNullOrWhiteSpace(name) ? name.Trim() : null;

    /// <summary>Who to record as the decider: the identity, else the typed name marked unverified, else "anonymous link holder".</summary>
    public static string DecidedBy(string? signedInIdentity, string? typedName) =>
        !string.IsNullOrWhiteSpace(signedInIdentity) ? signedInIdentity.Trim()
        : !string.IsNullOrWhiteSpace(typedName) ? $"{typedName.Trim()} (name typed on the page, not verified)"
        : "anonymous link holder";
}
